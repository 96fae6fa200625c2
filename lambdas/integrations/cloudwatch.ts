/**
 * CloudWatch alarms, as an SNS topic delivers them, become Events API actions: ALARM triggers,
 * OK resolves, both deduplicated by the alarm's ARN. INSUFFICIENT_DATA changes nothing.
 */
import * as z from '../http/zod-mini';
import { built, withMeta } from '../http/zod-mini';
import type { PdEvent } from './pagerduty';

/** The wire formats: what SNS posts to an HTTPS subscription, and the alarm message inside it. */
export const SnsEnvelope = /* @__PURE__ */ built(() => withMeta(z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().check(z.minLength(1)).check(z.maxLength(128)),
  TopicArn: z.string().check(z.startsWith('arn:')).check(z.maxLength(512)),
  Message: z.string().check(z.maxLength(262144)),
  Timestamp: z.string().check(z.maxLength(64)),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().check(z.minLength(1)).check(z.maxLength(4096)),
  SigningCertURL: z.string().check(z.maxLength(2048)),
  Subject: z.optional(z.nullable(z.string().check(z.maxLength(512)))),
  SubscribeURL: z.optional(z.string().check(z.maxLength(2048))),
  Token: z.optional(z.string().check(z.maxLength(2048))),
}), { id: 'SnsMessage', description: 'A message as Amazon SNS posts it to an HTTPS subscription (content-type text/plain).' }));

export const CloudWatchAlarmMessage = /* @__PURE__ */ built(() => z.object({
  AlarmName: z.string().check(z.minLength(1)).check(z.maxLength(255)),
  AlarmDescription: z.optional(z.nullable(z.string().check(z.maxLength(1024)))),
  AWSAccountId: z.optional(z.string().check(z.maxLength(32))),
  NewStateValue: z.string().check(z.maxLength(32)),
  NewStateReason: z.optional(z.string().check(z.maxLength(1023))),
  StateChangeTime: z.optional(z.string().check(z.maxLength(64))),
  Region: z.optional(z.string().check(z.maxLength(64))),
  AlarmArn: z.string().check(z.startsWith('arn:')).check(z.maxLength(1024)),
  OldStateValue: z.optional(z.string().check(z.maxLength(32))),
  Trigger: z.optional(z.unknown()),
}));

/** A CloudWatch alarm's state change, as its schema accepts it. */
export type CloudWatchAlarm = z.output<typeof CloudWatchAlarmMessage>;

export function eventFromAlarm(alarm: CloudWatchAlarm, routingKey: string): PdEvent | null {
  const base = { routing_key: routingKey, dedup_key: alarm.AlarmArn, client: 'Amazon CloudWatch' };
  if (alarm.NewStateValue === 'OK') return { ...base, event_action: 'resolve' };
  if (alarm.NewStateValue !== 'ALARM') return null;
  const reason = alarm.NewStateReason ? `: ${alarm.NewStateReason}` : '';
  return {
    ...base,
    event_action: 'trigger',
    payload: {
      summary: `${alarm.AlarmName}${reason}`.slice(0, 1024),
      source: ['cloudwatch', alarm.Region, alarm.AWSAccountId].filter(Boolean).join(':'),
      severity: 'error',
      timestamp: alarm.StateChangeTime,
      custom_details: {
        alarmName: alarm.AlarmName,
        alarmDescription: alarm.AlarmDescription ?? null,
        alarmArn: alarm.AlarmArn,
        newStateReason: alarm.NewStateReason ?? null,
        stateChangeTime: alarm.StateChangeTime ?? null,
        trigger: alarm.Trigger ?? null,
      },
    },
  };
}
