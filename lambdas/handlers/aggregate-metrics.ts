/**
 * Pre-aggregates the metrics: a second consumer of the table's stream. Every change to an incident
 * item is folded into the minute, hour and day buckets of its groups in each of its visibility
 * scopes, idempotently, so redelivered records count once.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { metrics as metricsService } from '../wiring/metrics';
import { incidentFromItem } from '../adapters/dynamodb/incident-items';
import type { Incident } from '../domain/incident';
import { emitMetric } from '../http/emf';
import { processInOrder } from '../events/stream-batch';

export function incidentChange(record: DynamoDBRecord): { before: Incident | null; after: Incident } | null {
  const image = record.dynamodb?.NewImage;
  if ((record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') || !image) return null;
  const after = unmarshall(image as never);
  if (after.entity !== 'incident') return null;
  const old = record.dynamodb?.OldImage;
  return { before: old ? incidentFromItem(unmarshall(old as never)) : null, after: incidentFromItem(after) };
}

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const metrics = await metricsService();
  return processInOrder(stream, incidentChange, async ({ before, after }) => {
    for (const c of await metrics.record(before, after)) {
      if (c.group !== `severity#${after.severity}` || c.seconds === undefined) continue;
      emitMetric(c.kind === 'acknowledged' ? 'TimeToAcknowledge' : 'TimeToResolve', c.seconds, 'Seconds', { Severity: after.severity });
    }
  }, ({ after }) => ({ incidentId: after.id }));
}
