/**
 * The notifier: consumes the table's stream (a transactional outbox). Every new timeline event is
 * passed to the notifier, which publishes to the organizations it concerns, at most once each.
 * A record that fails is retried by the stream from that record (events/stream-batch.ts).
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { notifications } from '../wiring/notifications';
import type { TimelineEvent } from '../domain/incident';
import { eventFromItem } from '../adapters/dynamodb/incident-items';
import { processInOrder } from '../events/stream-batch';

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
  return processInOrder(stream, insertedEvent, async ({ incidentId, event }) => {
    await notifier.notify(incidentId, event);
  }, ({ incidentId, event }) => ({ incidentId, seq: event.seq }));
}
