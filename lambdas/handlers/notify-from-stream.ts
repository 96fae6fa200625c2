/**
 * The notifier: consumes the table's stream (a transactional outbox). Every new timeline event of
 * the batch is passed to the notifier, which publishes to the organizations it concerns, at most
 * once each; then each to the chat notifier, which posts it to their Slack and Teams channels once
 * per channel.
 * A record that fails is retried by the stream from that record (runtime/stream-batch.ts); what
 * either had already delivered is skipped then.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { insertedTimelineEvent } from '../adapters/dynamodb/stream-records';
import { notifications } from '../wiring/notifications';
import { chatNotifier } from '../wiring/chat';
import { processInPhases } from '../runtime/stream-batch';

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { notifier } = await notifications();
  const chat = await chatNotifier();
  // Every record's pages first, then chat: a slow chat service never holds up an SMS or an email
  // behind it in the batch (red team: a hanging Teams webhook delayed other organizations' pages).
  return processInPhases(stream, insertedTimelineEvent, [
    async ({ incidentId, event }) => { await notifier.notify(incidentId, event); },
    async ({ incidentId, event }) => { await chat.notify(incidentId, event); },
  ], ({ incidentId, event }) => ({ incidentId, seq: event.seq }));
}
