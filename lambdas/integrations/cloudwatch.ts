/**
 * CloudWatch alarms, as an SNS topic delivers them, become Events API actions: ALARM triggers,
 * OK resolves, both deduplicated by the alarm's ARN. INSUFFICIENT_DATA changes nothing.
 */
import * as z from 'zod';
import type { PdEvent } from './pagerduty';

/** The wire formats: what SNS posts to an HTTPS subscription, and the alarm message inside it. */
export const SnsEnvelope = /* @__PURE__ */ (() => z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(128),
  TopicArn: z.string().startsWith('arn:').max(512),
  Message: z.string().max(262144),
  Timestamp: z.string().max(64),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().max(2048),
  Subject: z.string().max(512).nullable().optional(),
  SubscribeURL: z.string().max(2048).optional(),
  Token: z.string().max(2048).optional(),
}).meta({ id: 'SnsMessage', description: 'A message as Amazon SNS posts it to an HTTPS subscription (content-type text/plain).' }))();

export const CloudWatchAlarmMessage = /* @__PURE__ */ (() => z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).nullable().optional(),
  AWSAccountId: z.string().max(32).optional(),
  NewStateValue: z.string().max(32),
  NewStateReason: z.string().max(1023).optional(),
  StateChangeTime: z.string().max(64).optional(),
  Region: z.string().max(64).optional(),
  AlarmArn: z.string().startsWith('arn:').max(1024),
  OldStateValue: z.string().max(32).optional(),
  Trigger: z.unknown().optional(),
}))();

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
