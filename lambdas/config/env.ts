/**
 * The environment, parsed once at cold start. A missing or malformed setting fails the cold start
 * with a message naming it, instead of failing later with an undefined somewhere.
 * The variable names are constants that `lib/` imports too, so infrastructure and code agree.
 */
export const ENV = {
  tableName: 'CONCORD_TABLE_NAME',
  dynamodbEndpoint: 'CONCORD_DYNAMODB_ENDPOINT',
  /** In AWS: how long one attempt of a DynamoDB request may go unanswered (ms). @default 1500 */
  dynamodbAttemptTimeoutMs: 'CONCORD_DYNAMODB_ATTEMPT_TIMEOUT_MS',
  signingSecret: 'CONCORD_SIGNING_SECRET',
  signingSecretArn: 'CONCORD_SIGNING_SECRET_ARN',
  publicBaseUrl: 'CONCORD_PUBLIC_BASE_URL',
  eventsPerMinute: 'CONCORD_EVENTS_PER_MINUTE',
  topicPrefix: 'CONCORD_TOPIC_PREFIX',
  topicArnPrefix: 'CONCORD_TOPIC_ARN_PREFIX',
  topicKmsKey: 'CONCORD_TOPIC_KMS_KEY',
  escalationMinutes: 'CONCORD_ESCALATION_MINUTES',
  auditRetentionDays: 'CONCORD_AUDIT_RETENTION_DAYS',
  writeShards: 'CONCORD_WRITE_SHARDS',
  pushDeadLetterArn: 'CONCORD_PUSH_DLQ_ARN',
  /** Secrets Manager: `<prefix><orgId>` is an organization's Slack secret, JSON {"botToken", "signingSecret"}. */
  slackSecretPrefix: 'CONCORD_SLACK_SECRET_PREFIX',
  /** Local mode: every organization's Slack signing secret (npm start generates one when unset). */
  slackSigningSecret: 'CONCORD_SLACK_SIGNING_SECRET',
  /** Local mode: the folder of `<orgId>.json` files with an organization's `botToken` (the data folder's `slack/`). */
  slackDir: 'CONCORD_SLACK_DIR',
  /** Where Slack's Web API is (npm start: its stand-in, `<url>/local/slack/api/`). @default https://slack.com/api/ */
  slackApiUrl: 'CONCORD_SLACK_API_URL',
  /** `true` only under `npm start` (and the tests, which run as it does): never set by the stack. */
  localMode: 'CONCORD_LOCAL_MODE',
} as const;

/**
 * Local mode (`npm start`): loopback identity-provider issuers and push endpoints are accepted.
 * Exactly `true`; anything else, and unset (every deployed stage), is not local mode. Read when
 * asked, not at cold start, so the schemas that ask need no configuration of their own.
 */
export const localMode = (env: NodeJS.ProcessEnv = process.env) => env[ENV.localMode] === 'true';

/** Write shards at most: a metrics query reads each of its plan's items once per shard. */
export const MAX_WRITE_SHARDS = 16;

/** PagerDuty allows about 120 events a minute per routing key; Concord takes more. */
export const DEFAULT_EVENTS_PER_MINUTE = 300;

type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface Config {
  tableName: string;
  dynamodbEndpoint?: string;
  dynamodbAttemptTimeoutMs?: number;
  signingSecret?: string;
  signingSecretArn?: string;
  /** Where acknowledgement links point; required by the functions that sign them (no localhost fallback). */
  publicBaseUrl?: string;
  eventsPerMinute: number;
  topicPrefix: string;
  /** Where org topics live: the prefix plus the organization id is a topic ARN. */
  topicArnPrefix?: string;
  topicKmsKey?: string;
  /** Seconds before escalation, per severity given. */
  escalationSeconds?: Partial<Record<Severity, number>>;
  /** Days an audit entry is kept; unset keeps it for good (local mode). */
  auditRetentionDays?: number;
  /**
   * Write shards of the busiest partitions (a day's audit index, every metrics bucket): each write
   * goes to one of this many, by its id; reads merge them all. 1 (the default) is one partition.
   * May be raised, never lowered (reads look only at shards below it).
   */
  writeShards: number;
  /** The SQS queue SNS moves undeliverable pushes to. */
  pushDeadLetterArn?: string;
  slackSecretPrefix?: string;
  slackSigningSecret?: string;
  slackDir?: string;
  slackApiUrl?: string;
}

/** Escalation times as `critical=5,high=15,medium=60,low=240` (minutes; any subset). */
const ESCALATION = /^\s*(critical|high|medium|low)=\d+(\.\d+)?\s*(,\s*(critical|high|medium|low)=\d+(\.\d+)?\s*)*$/;

const isUrl = (v: string) => { try { return Boolean(new URL(v).host); } catch { return false; } };

/**
 * Reads the settings, every problem at once. Plain code rather than a schema: every function reads
 * its environment at cold start, and most validate nothing else, so they need not load zod.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const read = <T>(name: string, check: (v: string) => T | undefined, expected: string): T | undefined => {
    const value = env[name];
    if (value === undefined) return undefined;
    const out = check(value);
    if (out === undefined) problems.push(`${name}: ${expected}`);
    return out;
  };
  const text = (min: number) => (v: string) => (v.length >= min ? v : undefined);
  const arn = (v: string) => (v.startsWith('arn:') ? v : undefined);
  const url = (v: string) => (isUrl(v) ? v : undefined);
  const count = (v: string) => { const n = Number(v); return v.trim() !== '' && Number.isInteger(n) && n >= 1 ? n : undefined; };

  const tableName = read(ENV.tableName, text(3), 'at least 3 characters');
  if (env[ENV.tableName] === undefined) problems.push(`${ENV.tableName}: is required`);
  const escalation = read(ENV.escalationMinutes, (v) => (ESCALATION.test(v)
    ? Object.fromEntries(v.split(',').map((pair) => { const [k, m] = pair.split('='); return [k!.trim(), Number(m) * 60]; })) as Partial<Record<Severity, number>>
    : undefined), 'like critical=5,high=15,medium=60,low=240');
  const config: Config = {
    tableName: tableName ?? '',
    dynamodbEndpoint: read(ENV.dynamodbEndpoint, url, 'a URL'),
    dynamodbAttemptTimeoutMs: read(ENV.dynamodbAttemptTimeoutMs, (v) => { const n = count(v); return n !== undefined && n >= 100 && n <= 60_000 ? n : undefined; }, 'milliseconds, from 100 to 60000'),
    signingSecret: read(ENV.signingSecret, text(32), 'at least 32 characters'),
    signingSecretArn: read(ENV.signingSecretArn, arn, 'an ARN (arn:…)'),
    publicBaseUrl: read(ENV.publicBaseUrl, url, 'a URL')?.replace(/\/$/, ''),
    eventsPerMinute: read(ENV.eventsPerMinute, count, 'a whole number, 1 or more') ?? DEFAULT_EVENTS_PER_MINUTE,
    topicPrefix: read(ENV.topicPrefix, (v) => (/^[A-Za-z0-9_-]{1,200}$/.test(v) ? v : undefined), 'letters, digits, "_" and "-", up to 200') ?? 'concord-org-',
    topicArnPrefix: read(ENV.topicArnPrefix, arn, 'an ARN (arn:…)'),
    topicKmsKey: read(ENV.topicKmsKey, text(1), 'not empty'),
    escalationSeconds: escalation,
    auditRetentionDays: read(ENV.auditRetentionDays, count, 'a whole number, 1 or more'),
    writeShards: read(ENV.writeShards, (v) => { const n = count(v); return n !== undefined && n <= MAX_WRITE_SHARDS ? n : undefined; }, `a whole number from 1 to ${MAX_WRITE_SHARDS}`) ?? 1,
    pushDeadLetterArn: read(ENV.pushDeadLetterArn, arn, 'an ARN (arn:…)'),
    slackSecretPrefix: read(ENV.slackSecretPrefix, (v) => (/^[A-Za-z0-9/_+=.@-]{1,400}$/.test(v) ? v : undefined), 'a Secrets Manager name prefix (letters, digits and /_+=.@-)'),
    slackSigningSecret: read(ENV.slackSigningSecret, text(16), 'at least 16 characters'),
    slackDir: read(ENV.slackDir, text(1), 'not empty'),
    slackApiUrl: read(ENV.slackApiUrl, url, 'a URL'),
  };
  if (problems.length) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** A setting only some functions need, demanded at their cold start rather than defaulted. */
export function required<K extends keyof Config>(config: Config, key: K, variable: string): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new Error(`Invalid configuration: ${variable} is required by this function`);
  return value as NonNullable<Config[K]>;
}
