/**
 * The notifier: consumes the table's stream (a transactional outbox). Every new timeline event of
 * the batch is passed to the notifier, which publishes to the organizations it concerns, at most
 * once each; then each to the chat notifier, which posts it to their Slack and Teams channels once
 * per channel.
 * Pages go out for up to PAGE_WIDTH incidents of the batch at once, each incident's events in order
 * (one incident's slow publish holds up no other's); chat goes in the batch's order.
 * A record that fails is retried by the stream from that record (runtime/stream-batch.ts); what
 * either had already delivered is skipped then.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { insertedTimelineEvent } from '../adapters/dynamodb/stream-records';
import { notifications } from '../wiring/notifications';
import { chatNotifier } from '../wiring/chat';
import { processInPhases } from '../runtime/stream-batch';

/** Incidents of a batch paged at once (each publishes to up to 10 organizations at a time). */
const PAGE_WIDTH = 8;

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { notifier } = await notifications();
  const chat = await chatNotifier();
  // Every record's pages first, then chat: a slow chat service never holds up an SMS or an email
  // behind it in the batch (red team: a hanging Teams webhook delayed other organizations' pages).
  return processInPhases(stream, insertedTimelineEvent, [
    { handle: async ({ incidentId, event }) => { await notifier.notify(incidentId, event); }, by: ({ incidentId }) => incidentId, width: PAGE_WIDTH },
    async ({ incidentId, event }) => { await chat.notify(incidentId, event); },
  ], ({ incidentId, event }) => ({ incidentId, seq: event.seq }));
}
