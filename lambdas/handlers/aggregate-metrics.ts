/**
 * Pre-aggregates the metrics: a second consumer of the table's stream. Every change to an incident
 * item is folded into the buckets of every size (a minute to a week) of its groups in each of its
 * visibility scopes, idempotently, so redelivered records count once. A batch's changes are folded
 * together: a bucket they share (a busy hour's reports share most) is written once per batch.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changedIncident } from '../adapters/dynamodb/stream-records';
import { metrics as metricsService } from '../wiring/metrics';
import { emitMetric } from '../runtime/emf';
import { processTogether } from '../runtime/stream-batch';

const SEVERITY = 'severity#';

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const metrics = await metricsService();
  return processTogether(stream, changedIncident, async (changes) => {
    for (const c of await metrics.recordAll(changes)) {
      // Once per acknowledgement or resolve: its severity's group names the severity.
      if (!c.group.startsWith(SEVERITY) || c.seconds === undefined) continue;
      emitMetric(c.kind === 'acknowledged' ? 'TimeToAcknowledge' : 'TimeToResolve', c.seconds, 'Seconds', { Severity: c.group.slice(SEVERITY.length) });
    }
  }, (changes) => ({ incidentIds: [...new Set(changes.map(({ after }) => after.id))] }));
}
