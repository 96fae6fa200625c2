/**
 * How the stream consumers walk a batch: records in order (a concurrent phase: each key's records
 * in order), and at the earliest failure a partial batch response naming it, so the event source
 * retries from there and no later record of its key overtakes it; records before it are never
 * redone. Or the whole batch at once (processTogether), retried whole.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from './logger';
import { inPool } from '../shared/pool';

export async function processInOrder<T>(
  stream: DynamoDBStreamEvent,
  /** What a record means to this consumer; null to skip it. */
  select: (record: DynamoDBRecord) => T | null,
  handle: (item: T) => Promise<void>,
  describe: (item: T) => Record<string, unknown>,
): Promise<DynamoDBBatchResponse> {
  // One key: every record in turn, to the first failure.
  return processByKey(stream, select, { handle, by: () => '', width: 1 }, describe);
}

/**
 * The batch's records handled at once, in one call (for a consumer whose writes merge: the metrics
 * aggregator writes a bucket the batch's records share once). A failure is the first record's:
 * the event source delivers the whole batch again, and what was done is skipped then by the
 * consumer's own record of it. A record that cannot be read ends the batch there: those before it
 * are handled together, and it is the failure unless they fail.
 */
export async function processTogether<T>(
  stream: DynamoDBStreamEvent,
  select: (record: DynamoDBRecord) => T | null,
  handle: (items: T[]) => Promise<void>,
  describe: (items: T[]) => Record<string, unknown>,
): Promise<DynamoDBBatchResponse> {
  const items: Array<{ index: number; item: T }> = [];
  let failure: { index: number; context: Record<string, unknown>; error: unknown } | null = null;
  for (const [index, record] of stream.Records.entries()) {
    try {
      const item = select(record);
      if (item !== null) items.push({ index, item });
    } catch (error) {
      failure = { index, context: { sequenceNumber: record.dynamodb?.SequenceNumber }, error };
      break;
    }
  }
  if (items.length > 0) {
    try {
      await handle(items.map(({ item }) => item));
    } catch (error) {
      failure = { index: items[0]!.index, context: describe(items.map(({ item }) => item)), error };
    }
  }
  if (!failure) return { batchItemFailures: [] };
  logger.error('stream record failed; the event source will retry from it', { ...failure.context, error: failure.error });
  return { batchItemFailures: [{ itemIdentifier: stream.Records[failure.index]!.dynamodb?.SequenceNumber ?? '' }] };
}

/**
 * A phase whose records of different keys (incidents) may be handled at once: at most `width` keys
 * at a time, each key's records in their order. What one key waits on (a slow publish, a retried
 * write) then holds up no other key's messages behind it in the batch.
 */
export interface ConcurrentPhase<T> {
  handle: (item: T) => Promise<void>;
  by: (item: T) => string;
  width: number;
}

type Phase<T> = ((item: T) => Promise<void>) | ConcurrentPhase<T>;

/**
 * Records of different keys at once, each key's in order; the batch's failure is its earliest
 * failed record, as if handled in order. A key stops at its own first failure, and no record after
 * the earliest failure known is started: the event source delivers everything from there again,
 * and what was done after it is skipped then by the phase's own record of it (why only a phase
 * that keeps one may run concurrently).
 */
async function processByKey<T>(
  stream: DynamoDBStreamEvent,
  select: (record: DynamoDBRecord) => T | null,
  { handle, by, width }: ConcurrentPhase<T>,
  describe: (item: T) => Record<string, unknown>,
): Promise<DynamoDBBatchResponse> {
  let failedAt = Infinity;
  const fail = (index: number, item: T | null, error: unknown) => {
    const record = stream.Records[index]!;
    logger.error('stream record failed; the event source will retry from it', { ...(item === null ? { sequenceNumber: record.dynamodb?.SequenceNumber } : describe(item)), error });
    failedAt = Math.min(failedAt, index);
  };
  const keys = new Map<string, Array<{ index: number; item: T }>>();
  // A record that cannot be read ends the batch there, as in order: those before it are handled,
  // and it is the failure unless one of them fails first.
  let unreadable: { index: number; item: T | null; error: unknown } | null = null;
  for (const [index, record] of stream.Records.entries()) {
    let item: T | null = null;
    try {
      item = select(record);
      if (item === null) continue;
      const key = by(item);
      const records = keys.get(key);
      if (records) records.push({ index, item });
      else keys.set(key, [{ index, item }]);
    } catch (error) {
      unreadable = { index, item, error };
      break;
    }
  }
  await inPool([...keys.values()], width, async (records) => {
    for (const { index, item } of records) {
      if (index > failedAt) return;
      try {
        await handle(item);
      } catch (error) {
        fail(index, item, error);
        return;
      }
    }
  });
  if (unreadable && unreadable.index < failedAt) fail(unreadable.index, unreadable.item, unreadable.error);
  return { batchItemFailures: failedAt === Infinity ? [] : [{ itemIdentifier: stream.Records[failedAt]!.dynamodb?.SequenceNumber ?? '' }] };
}

/**
 * The batch through each phase in turn: every record through the first phase before any through
 * the second, so a slow second phase (chat) never holds up the first (pages) of a later record.
 * A phase takes the records in order, or, given as a `ConcurrentPhase`, several keys at once. A
 * phase covers only the records every earlier phase handled; the batch is retried from the
 * earliest failure (what was done is skipped then, by each phase's own record of it).
 */
export async function processInPhases<T>(
  stream: DynamoDBStreamEvent,
  select: (record: DynamoDBRecord) => T | null,
  phases: ReadonlyArray<Phase<T>>,
  describe: (item: T) => Record<string, unknown>,
): Promise<DynamoDBBatchResponse> {
  let records = stream.Records;
  let failure: DynamoDBBatchResponse = { batchItemFailures: [] };
  for (const phase of phases) {
    const result = typeof phase === 'function'
      ? await processInOrder({ Records: records }, select, phase, describe)
      : await processByKey({ Records: records }, select, phase, describe);
    const failedAt = result.batchItemFailures[0]?.itemIdentifier;
    if (failedAt === undefined) continue;
    failure = result;
    records = records.slice(0, records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt));
  }
  return failure;
}
