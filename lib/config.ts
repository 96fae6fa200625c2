/**
 * Stage settings, from CDK context: `npx cdk deploy -c stage=prod`. Everything has a default, so a
 * plain `npx cdk deploy` gives a working `dev` stage.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { MAX_WRITE_SHARDS } from '../lambdas/config/env';

/** The log retentions a stage may choose, in days. */
export const LOG_RETENTION: Readonly<Record<number, RetentionDays>> = {
  7: RetentionDays.ONE_WEEK, 30: RetentionDays.ONE_MONTH, 90: RetentionDays.THREE_MONTHS, 180: RetentionDays.SIX_MONTHS, 365: RetentionDays.ONE_YEAR,
};

export interface StageConfig {
  /** Name used in stack names and resource names. @default 'dev' */
  stage: string;
  /** Steady-state requests a second across the API (stage throttling). @default 50 */
  apiRateLimit: number;
  /** Burst across the API. @default 100 */
  apiBurstLimit: number;
  /** Days to keep Lambda and API access logs (7, 30, 90, 180 or 365). @default 90 */
  logRetentionDays: number;
  /** The same, as CloudWatch Logs takes it. */
  logRetention: RetentionDays;
  /** Email that receives operational alarms, if any. */
  alarmEmail?: string;
  /** Escalation minutes, as CONCORD_ESCALATION_MINUTES (`critical=5,high=15,...`). */
  escalationMinutes?: string;
  /** The SNS topic that AWS End User Messaging publishes inbound SMS to, if two-way SMS is set up elsewhere. */
  inboundSmsTopicArn?: string;
  /** Days the audit trail keeps each entry (DynamoDB TTL). @default 2557 (seven years) */
  auditRetentionDays: number;
  /**
   * Write shards of the busiest partitions (each day's audit index, every metrics bucket), 1–16.
   * Raise it for a busier stage; never lower it (reads look only at shards below it). @default 4
   */
  writeShards: number;
  /** The region to deploy to, e.g. `us-gov-west-1`. @default the CLI's (CDK_DEFAULT_REGION) */
  region?: string;
  /** SDK clients use FIPS 140 endpoints (AWS_USE_FIPS_ENDPOINT). @default true in GovCloud regions, else false */
  fips: boolean;
}

const shards = (n: number) => {
  if (!Number.isInteger(n) || n > MAX_WRITE_SHARDS) throw new Error(`Context writeShards must be a whole number from 1 to ${MAX_WRITE_SHARDS}, got ${n}`);
  return n;
};

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
  const region = get('region');
  if (region !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`Context region must be an AWS region such as us-east-1 or us-gov-west-1, got ${region}`);
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) throw new Error(`Context stage must be lowercase letters, digits and -, got ${stage}`);
  const logRetentionDays = num('logRetentionDays', 90);
  const logRetention = LOG_RETENTION[logRetentionDays];
  // An unsupported value is an error, never a silent default.
  if (logRetention === undefined) throw new Error(`Context logRetentionDays must be one of ${Object.keys(LOG_RETENTION).join(', ')}, got ${logRetentionDays}`);
  return {
    stage,
    apiRateLimit: num('apiRateLimit', 50),
    apiBurstLimit: num('apiBurstLimit', 100),
    logRetentionDays,
    logRetention,
    alarmEmail: get('alarmEmail'),
    escalationMinutes: get('escalationMinutes'),
    inboundSmsTopicArn: get('inboundSmsTopicArn'),
    auditRetentionDays: Math.trunc(num('auditRetentionDays', 2557)),
    writeShards: shards(num('writeShards', 4)),
    region,
    fips: get('fips') === undefined ? region?.startsWith('us-gov-') === true : get('fips') === 'true',
  };
}
