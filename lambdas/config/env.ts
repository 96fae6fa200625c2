/**
 * The environment, parsed once at cold start. A missing or malformed setting fails the cold start
 * with a message naming it, instead of failing later with an undefined somewhere.
 * The variable names are constants that `lib/` imports too, so infrastructure and code agree.
 */
import { z } from 'zod';

export const ENV = {
  tableName: 'CONCORD_TABLE_NAME',
  dynamodbEndpoint: 'CONCORD_DYNAMODB_ENDPOINT',
  signingSecret: 'CONCORD_SIGNING_SECRET',
  signingSecretArn: 'CONCORD_SIGNING_SECRET_ARN',
  publicBaseUrl: 'CONCORD_PUBLIC_BASE_URL',
  eventsPerMinute: 'CONCORD_EVENTS_PER_MINUTE',
} as const;

/** PagerDuty allows about 120 events a minute per routing key; Concord takes more. */
export const DEFAULT_EVENTS_PER_MINUTE = 300;

const schema = z.object({
  [ENV.tableName]: z.string().min(3),
  [ENV.dynamodbEndpoint]: z.url().optional(),
  [ENV.signingSecret]: z.string().min(32).optional(),
  [ENV.signingSecretArn]: z.string().startsWith('arn:').optional(),
  [ENV.publicBaseUrl]: z.url().optional(),
  [ENV.eventsPerMinute]: z.coerce.number<string>().int().min(1).default(DEFAULT_EVENTS_PER_MINUTE),
}).refine((e) => e[ENV.signingSecret] !== undefined || e[ENV.signingSecretArn] !== undefined, {
  message: `set ${ENV.signingSecret} or ${ENV.signingSecretArn}`,
});

export interface Config {
  tableName: string;
  dynamodbEndpoint?: string;
  signingSecret?: string;
  signingSecretArn?: string;
  publicBaseUrl?: string;
  eventsPerMinute: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    tableName: e[ENV.tableName],
    dynamodbEndpoint: e[ENV.dynamodbEndpoint],
    signingSecret: e[ENV.signingSecret],
    signingSecretArn: e[ENV.signingSecretArn],
    publicBaseUrl: e[ENV.publicBaseUrl],
    eventsPerMinute: e[ENV.eventsPerMinute],
  };
}
