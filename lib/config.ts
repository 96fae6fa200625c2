/**
 * Stage settings, from CDK context: `npx cdk deploy -c stage=prod`. Everything has a default, so a
 * plain `npx cdk deploy` gives a working `dev` stage.
 */
import type { Node } from 'constructs';

export interface StageConfig {
  /** Name used in stack names and resource names. @default 'dev' */
  stage: string;
  /** Steady-state requests a second across the API (stage throttling). @default 50 */
  apiRateLimit: number;
  /** Burst across the API. @default 100 */
  apiBurstLimit: number;
  /** Days to keep Lambda and API access logs. @default 90 */
  logRetentionDays: number;
  /** Email that receives operational alarms, if any. */
  alarmEmail?: string;
  /** Escalation minutes, as CONCORD_ESCALATION_MINUTES (`critical=5,high=15,...`). */
  escalationMinutes?: string;
  /** The SNS topic that AWS End User Messaging publishes inbound SMS to, if two-way SMS is set up elsewhere. */
  inboundSmsTopicArn?: string;
}

export function stageConfig(node: Node): StageConfig {
  const get = (key: string) => node.tryGetContext(key) as string | undefined;
  const num = (key: string, fallback: number) => {
    const v = get(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`Context ${key} must be a positive number, got ${v}`);
    return n;
  };
  const stage = get('stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) throw new Error(`Context stage must be lowercase letters, digits and -, got ${stage}`);
  return {
    stage,
    apiRateLimit: num('apiRateLimit', 50),
    apiBurstLimit: num('apiBurstLimit', 100),
    logRetentionDays: num('logRetentionDays', 90),
    alarmEmail: get('alarmEmail'),
    escalationMinutes: get('escalationMinutes'),
    inboundSmsTopicArn: get('inboundSmsTopicArn'),
  };
}
