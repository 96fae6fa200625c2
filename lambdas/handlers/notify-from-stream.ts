/**
 * The notifier: consumes the table's stream (a transactional outbox). Every new timeline event is
 * passed to the notifier, which publishes to the organizations it concerns, at most once each, and
 * then to the chat notifier, which posts it to their Slack and Teams channels once per channel.
 * A record that fails is retried by the stream from that record (runtime/stream-batch.ts); what
 * either had already delivered is skipped then.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { insertedTimelineEvent } from '../adapters/dynamodb/stream-records';
import { notifications } from '../wiring/notifications';
import { chatNotifier } from '../wiring/chat';
import { processInOrder } from '../runtime/stream-batch';

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { notifier } = await notifications();
  const chat = await chatNotifier();
  return processInOrder(stream, insertedTimelineEvent, async ({ incidentId, event }) => {
    await notifier.notify(incidentId, event);
    await chat.notify(incidentId, event);
  }, ({ incidentId, event }) => ({ incidentId, seq: event.seq }));
}
