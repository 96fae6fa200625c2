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
