/**
 * CloudWatch embedded metric format: a log line that CloudWatch turns into a metric, with no API
 * call and no permission. Feeds the dashboard's response-time graphs and the escalation alarm.
 */
import { logsSilenced } from '../config/log-level';

export const METRICS_NAMESPACE = 'Concord';

export function emitMetric(name: string, value: number, unit: 'Seconds' | 'Count', dimensions: Record<string, string> = {}): void {
  if (logsSilenced()) return;
  process.stdout.write(`${JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }],
    },
    ...dimensions,
    [name]: value,
  })}\n`);
}
