/**
 * Pre-aggregates the metrics: a second consumer of the table's stream. Every change to an incident
 * item is folded into the buckets of every size (a minute to a week) of its groups in each of its
 * visibility scopes, idempotently, so redelivered records count once.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changedIncident } from '../adapters/dynamodb/stream-records';
import { metrics as metricsService } from '../wiring/metrics';
import { emitMetric } from '../runtime/emf';
import { processInOrder } from '../runtime/stream-batch';

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const metrics = await metricsService();
  return processInOrder(stream, changedIncident, async ({ before, after }) => {
    for (const c of await metrics.record(before, after)) {
      if (c.group !== `severity#${after.severity}` || c.seconds === undefined) continue;
      emitMetric(c.kind === 'acknowledged' ? 'TimeToAcknowledge' : 'TimeToResolve', c.seconds, 'Seconds', { Severity: after.severity });
    }
  }, ({ after }) => ({ incidentId: after.id }));
}
