/**
 * How both stream consumers walk a batch: records in order, and at the first failure a partial
 * batch response naming it, so the event source retries from there and no later record overtakes
 * it; records before it are never redone.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from './logger';

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
 * The batch through each phase in turn, each record in order: every record through the first
 * phase before any through the second, so a slow second phase (chat) never holds up the first
 * (pages) of a later record. A phase covers only the records every earlier phase handled; the
 * batch is retried from the earliest failure (what was done is skipped then, by each phase's own
 * record of it).
 */
export async function processInPhases<T>(
  stream: DynamoDBStreamEvent,
  select: (record: DynamoDBRecord) => T | null,
  phases: ReadonlyArray<(item: T) => Promise<void>>,
  describe: (item: T) => Record<string, unknown>,
): Promise<DynamoDBBatchResponse> {
  let records = stream.Records;
  let failure: DynamoDBBatchResponse = { batchItemFailures: [] };
  for (const handle of phases) {
    const result = await processInOrder({ Records: records }, select, handle, describe);
    const failedAt = result.batchItemFailures[0]?.itemIdentifier;
    if (failedAt === undefined) continue;
    failure = result;
    records = records.slice(0, records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt));
  }
  return failure;
}
