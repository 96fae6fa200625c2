/**
 * CloudWatch alarms, as an SNS topic delivers them, become Events API actions: ALARM triggers,
 * OK resolves, both deduplicated by the alarm's ARN. INSUFFICIENT_DATA changes nothing.
 */
import type * as z from 'zod';
import type { CloudWatchAlarmMessage } from '../http/schemas';
import type { PdEvent } from './pagerduty';

/** A CloudWatch alarm's state change, as its schema (http/schemas.ts) accepts it. */
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
