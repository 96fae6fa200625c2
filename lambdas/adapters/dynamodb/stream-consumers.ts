/**
 * The table stream's three consumers as the event source runs them: which records each is given
 * (Lambda's filter criteria, applied before records are batched), how many at most in one batch,
 * and how long records are gathered first. The CDK stack and the local poller (`npm start`, the
 * load bench) both read them here, so the local stack batches as AWS does.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { ENTITY } from './incident-items';
import { NOTIFIABLE } from '../../domain/notifications';
import { CHAT_EVENTS } from '../../domain/chat';

export interface StreamConsumer {
  /** Only records whose new image is of this entity… */
  entity: string;
  /** …and, if set, only inserts… */
  insertsOnly: boolean;
  /** …and, if set, only of these types (the new image's `type`). */
  types?: readonly string[];
  batchSize: number;
  /** How long records are gathered before a batch is handed over (0: at once). */
  batchingWindowMs: number;
}

export const STREAM_CONSUMERS = {
  // No batching window: a window would add up to its length to every report's first SMS (#27).
  // Only the events it pages or posts: not the `notified` events its own pages write, about as
  // many as a report has participants, which it would only skip.
  notifier: { entity: ENTITY.event, insertsOnly: true, types: [...new Set([...NOTIFIABLE, ...CHAT_EVENTS])].sort(), batchSize: 25, batchingWindowMs: 0 },
  // A second's records at once: nobody waits on a metric as on a page, and the aggregator writes a
  // bucket a batch's changes share once (#27), so the larger the batch the fewer the writes.
  aggregator: { entity: ENTITY.incident, insertsOnly: false, batchSize: 100, batchingWindowMs: 1000 },
  correlator: { entity: ENTITY.incident, insertsOnly: false, batchSize: 25, batchingWindowMs: 1000 },
} as const satisfies Record<string, StreamConsumer>;

/** Whether the event source gives `consumer` this record (what its filter criteria say in AWS). */
export const accepts = (consumer: Pick<StreamConsumer, 'entity' | 'insertsOnly' | 'types'>, record: Pick<DynamoDBRecord, 'eventName' | 'dynamodb'>): boolean =>
  (!consumer.insertsOnly || record.eventName === 'INSERT') && record.dynamodb?.NewImage?.entity?.S === consumer.entity
  && (!consumer.types || consumer.types.includes(record.dynamodb?.NewImage?.type?.S ?? ''));
