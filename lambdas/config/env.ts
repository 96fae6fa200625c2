/**
 * The environment, parsed once at cold start. A missing or malformed setting fails the cold start
 * with a message naming it, instead of failing later with an undefined somewhere.
 * The variable names are constants that `lib/` imports too, so infrastructure and code agree.
 */
import * as z from 'zod';

export const ENV = {
  tableName: 'CONCORD_TABLE_NAME',
  dynamodbEndpoint: 'CONCORD_DYNAMODB_ENDPOINT',
  signingSecret: 'CONCORD_SIGNING_SECRET',
  signingSecretArn: 'CONCORD_SIGNING_SECRET_ARN',
  publicBaseUrl: 'CONCORD_PUBLIC_BASE_URL',
  eventsPerMinute: 'CONCORD_EVENTS_PER_MINUTE',
  topicPrefix: 'CONCORD_TOPIC_PREFIX',
  topicArnPrefix: 'CONCORD_TOPIC_ARN_PREFIX',
  topicKmsKey: 'CONCORD_TOPIC_KMS_KEY',
  escalationMinutes: 'CONCORD_ESCALATION_MINUTES',
  auditRetentionDays: 'CONCORD_AUDIT_RETENTION_DAYS',
  pushDeadLetterArn: 'CONCORD_PUSH_DLQ_ARN',
} as const;

/** Escalation times as `critical=5,high=15,medium=60,low=240` (minutes; any subset). */
const EscalationMinutes = z.string().regex(/^\s*(critical|high|medium|low)=\d+(\.\d+)?\s*(,\s*(critical|high|medium|low)=\d+(\.\d+)?\s*)*$/, 'like critical=5,high=15,medium=60,low=240')
  .transform((v) => Object.fromEntries(v.split(',').map((pair) => { const [k, m] = pair.split('='); return [k!.trim(), Number(m) * 60]; })) as Partial<Record<'critical' | 'high' | 'medium' | 'low', number>>);

/** PagerDuty allows about 120 events a minute per routing key; Concord takes more. */
export const DEFAULT_EVENTS_PER_MINUTE = 300;

const schema = z.object({
  [ENV.tableName]: z.string().min(3),
  [ENV.dynamodbEndpoint]: z.url().optional(),
  [ENV.signingSecret]: z.string().min(32).optional(),
  [ENV.signingSecretArn]: z.string().startsWith('arn:').optional(),
  [ENV.publicBaseUrl]: z.url().optional(),
  [ENV.eventsPerMinute]: z.coerce.number<string>().int().min(1).default(DEFAULT_EVENTS_PER_MINUTE),
  [ENV.topicPrefix]: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).default('concord-org-'),
  [ENV.topicArnPrefix]: z.string().startsWith('arn:').optional(),
  [ENV.topicKmsKey]: z.string().min(1).optional(),
  [ENV.escalationMinutes]: EscalationMinutes.optional(),
  [ENV.auditRetentionDays]: z.coerce.number<string>().int().min(1).optional(),
  [ENV.pushDeadLetterArn]: z.string().startsWith('arn:').optional(),
  // The signing secret is not demanded here: most functions are granted none (the stack gives its
  // ARN only to those that sign or verify), and they must still start. loadSigningSecret demands it.
}).transform((e) => ({
  tableName: e[ENV.tableName],
  dynamodbEndpoint: e[ENV.dynamodbEndpoint],
  signingSecret: e[ENV.signingSecret],
  signingSecretArn: e[ENV.signingSecretArn],
  /** Where acknowledgement links point; required by the functions that sign them (no localhost fallback). */
  publicBaseUrl: e[ENV.publicBaseUrl]?.replace(/\/$/, ''),
  eventsPerMinute: e[ENV.eventsPerMinute],
  topicPrefix: e[ENV.topicPrefix],
  /** Where org topics live: the prefix plus the organization id is a topic ARN. */
  topicArnPrefix: e[ENV.topicArnPrefix],
  topicKmsKey: e[ENV.topicKmsKey],
  /** Seconds before escalation, per severity given. */
  escalationSeconds: e[ENV.escalationMinutes],
  /** Days an audit entry is kept; unset keeps it for good (local mode). */
  auditRetentionDays: e[ENV.auditRetentionDays],
  /** The SQS queue SNS moves undeliverable pushes to. */
  pushDeadLetterArn: e[ENV.pushDeadLetterArn],
}));

/** The configuration, as the schema above produces it: one source for the type and the parsing. */
export type Config = z.output<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** A setting only some functions need, demanded at their cold start rather than defaulted. */
export function required<K extends keyof Config>(config: Config, key: K, variable: string): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new Error(`Invalid configuration: ${variable} is required by this function`);
  return value as NonNullable<Config[K]>;
}
