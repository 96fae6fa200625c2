/**
 * The notifier: consumes the table's stream (a transactional outbox). Every new timeline event is
 * passed to the notifier, which publishes to the organizations it concerns, at most once each.
 * A record that fails is reported as a batch item failure, so the stream retries from it and no
 * later record overtakes it; records before it are never redone.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { notifications } from '../wiring/notifications';
import type { TimelineEvent } from '../domain/incident';
import { eventFromItem } from '../adapters/dynamodb/incident-items';
import { logger } from '../http/logger';

/** The timeline event a stream record inserts, if it inserts one. */
export function insertedEvent(record: DynamoDBRecord): { incidentId: string; event: TimelineEvent } | null {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return null;
  const item = unmarshall(image as never);
  if (item.entity !== 'event' || typeof item.PK !== 'string') return null;
  return { incidentId: item.PK.slice('INC#'.length), event: eventFromItem(item) };
}

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { notifier } = await notifications();
  for (const record of stream.Records) {
    const inserted = insertedEvent(record);
    if (!inserted) continue;
    try {
      await notifier.notify(inserted.incidentId, inserted.event);
    } catch (error) {
      logger.error('notification failed; the stream will retry', { incidentId: inserted.incidentId, seq: inserted.event.seq, error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
