/**
 * Pre-aggregates the metrics: a second consumer of the table's stream. Every change to an incident
 * item is folded into the hour and day buckets of its groups, idempotently, so redelivered records
 * count once.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { metrics as metricsService } from '../wiring/metrics';
import { incidentFromItem } from '../adapters/dynamodb/incident-items';
import type { Incident } from '../domain/incident';
import { logger } from '../http/logger';
import { emitMetric } from '../http/emf';
import { contributionsOf } from '../domain/metrics';

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
  for (const record of stream.Records) {
    const change = incidentChange(record);
    if (!change) continue;
    try {
      await metrics.record(change.before, change.after);
      for (const c of contributionsOf(change.before, change.after)) {
        if (c.group !== `severity#${change.after.severity}` || c.seconds === undefined) continue;
        emitMetric(c.kind === 'acknowledged' ? 'TimeToAcknowledge' : 'TimeToResolve', c.seconds, 'Seconds', { Severity: change.after.severity });
      }
    } catch (error) {
      logger.error('metrics aggregation failed; the stream will retry', { incidentId: change.after.id, error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
