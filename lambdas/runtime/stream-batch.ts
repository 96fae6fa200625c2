/**
 * How both stream consumers walk a batch: records in order, and at the first failure a partial
 * batch response naming it, so the event source retries from there and no later record overtakes
 * it; records before it are never redone.
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
  for (const record of stream.Records) {
    let item: T | null = null;
    try {
      // Decoding is inside too: a record that cannot be read fails where it is, not the whole batch.
      item = select(record);
      if (item === null) continue;
      await handle(item);
    } catch (error) {
      logger.error('stream record failed; the event source will retry from it', { ...(item === null ? { sequenceNumber: record.dynamodb?.SequenceNumber } : describe(item)), error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
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
  for (const [index, record] of stream.Records.entries()) {
    let item: T | null = null;
    try {
      item = select(record);
      if (item === null) continue;
      const key = by(item);
      keys.set(key, [...(keys.get(key) ?? []), { index, item }]);
    } catch (error) {
      // A record that cannot be read ends the batch there, as in order.
      fail(index, item, error);
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
