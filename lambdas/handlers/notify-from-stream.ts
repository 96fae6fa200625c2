/**
 * The notifier: consumes the table's stream (a transactional outbox). Every new timeline event of
 * the batch is passed to the notifier, which publishes to the organizations it concerns, at most
 * once each; then each to the chat notifier, which posts it to their Slack and Teams channels once
 * per channel.
 * Pages, then chat posts, go out for up to WIDTH incidents of the batch at once, each incident's
 * events in order: one incident's slow publish or rate-limited channel holds up no other's.
 * A record that fails is retried by the stream from that record (runtime/stream-batch.ts); what
 * either had already delivered is skipped then.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { insertedTimelineEvent } from '../adapters/dynamodb/stream-records';
import { notifications } from '../wiring/notifications';
import { chatNotifier } from '../wiring/chat';
import { processInPhases } from '../runtime/stream-batch';

/** Incidents of a batch handled at once (each publishes to up to 10 organizations, and posts to up to 5 channels, at a time). */
const WIDTH = 8;

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { notifier } = await notifications();
  const chat = await chatNotifier();
  // Every record's pages first, then chat: a slow chat service never holds up an SMS or an email
  // behind it in the batch (red team: a hanging Teams webhook delayed other organizations' pages).
  return processInPhases(stream, insertedTimelineEvent, [
    { handle: async ({ incidentId, event }) => { await notifier.notify(incidentId, event); }, by: ({ incidentId }) => incidentId, width: WIDTH },
    { handle: async ({ incidentId, event }) => { await chat.notify(incidentId, event); }, by: ({ incidentId }) => incidentId, width: WIDTH },
  ], ({ incidentId, event }) => ({ incidentId, seq: event.seq }));
}
