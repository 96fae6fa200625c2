/**
 * The local stand-in for Lambda's DynamoDB stream event source: reads DynamoDB Local's stream
 * and invokes the same handler with the same event shape. Like the event source, it gives a
 * consumer only the records its filter accepts, in batches of at most its batch size, gathered
 * for its batching window (STREAM_CONSUMERS), retries from a batch item failure and never lets a
 * later record overtake a failed one.
 */
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { writeShard } from '../lambdas/adapters/dynamodb/keys';
import { accepts, type StreamConsumer } from '../lambdas/adapters/dynamodb/stream-consumers';

export interface StreamPoller { stop(): Promise<void> }

export interface PollerOptions {
  endpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /**
   * Which records the handler is given and in batches of how many (see STREAM_CONSUMERS); without
   * it, every record, a page of up to 1,000 at once.
   */
  consumer?: Pick<StreamConsumer, 'entity' | 'insertsOnly' | 'types' | 'batchSize'>;
  /** How often the stream is read: a consumer's batching window, or less for quick tests. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
  /**
   * Concurrent batches per shard, as Lambda's ParallelizationFactor (1–10): a batch's records are
   * split by partition key into this many, handled at once, each key's records in order. 1 (the
   * default) is one batch at a time.
   */
  parallelization?: number;
}

/** A stream record as Lambda's event source delivers it (the bundle test builds its events with it too). */
export function toLambdaRecord(r: _Record, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      Keys: d.Keys as never,
      NewImage: d.NewImage as never,
      OldImage: d.OldImage as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000) : undefined,
    },
  };
}

/** Which of `n` concurrent batches takes a record: by its partition key, as writes pick their shard. */
const lane = (record: DynamoDBRecord, n: number): number => writeShard(JSON.stringify(record.dynamodb?.Keys?.PK ?? ''), n);

/** The most records one GetRecords returns. */
const PAGE = 1000;
/** Pages read from a shard in one cycle while they come back full (a backlog). */
const PAGES_PER_CYCLE = 10;

export async function startStreamPoller({ endpoint, tableName, handler, consumer, intervalMs = 200, onError = () => {}, parallelization = 1 }: PollerOptions): Promise<StreamPoller> {
  const ddb = new DynamoDBClient({ endpoint });
  const streams = new DynamoDBStreamsClient({ endpoint });
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
  ddb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${tableName} has no stream`);

  /** Next iterator per open shard; null once a shard is closed and read to its end. */
  const iterators = new Map<string, string | null>();
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let cycle: Promise<void> = Promise.resolve();

  async function discover() {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      iterators.set(shard.ShardId, ShardIterator ?? null);
    }
  }

  /** One batch to the handler (split by key into `parallelization` at once); the earliest failed record's sequence number, if any. */
  async function deliver(records: DynamoDBRecord[]): Promise<string | undefined> {
    const lanes = Array.from({ length: Math.max(1, parallelization) }, () => [] as DynamoDBRecord[]);
    for (const r of records) lanes[parallelization > 1 ? lane(r, parallelization) : 0]!.push(r);
    const results = await Promise.all(lanes.filter((l) => l.length).map((Records) => handler({ Records })));
    const failures = new Set(results.flatMap((r) => (r?.batchItemFailures ?? []).slice(0, 1).map((f) => f.itemIdentifier)));
    return records.find((r) => failures.has(r.dynamodb?.SequenceNumber ?? ''))?.dynamodb?.SequenceNumber;
  }

  /**
   * What arrived on a shard since the last cycle, page after page while pages come back full: the
   * records the consumer accepts, batch after batch. At a failure, the shard starts again at the
   * failed record on the next cycle.
   */
  async function pollShard(shardId: string, iterator: string) {
    let next: string | undefined = iterator;
    for (let page = 0; page < PAGES_PER_CYCLE && next && running; page++) {
      const { Records = [], NextShardIterator }: { Records?: _Record[]; NextShardIterator?: string } = await streams.send(new GetRecordsCommand({ ShardIterator: next, Limit: PAGE }));
      // Each record as Lambda gives it, made once: what the filter looks at and what the handler gets.
      const records = Records.map((r) => toLambdaRecord(r, streamArn!));
      const given = consumer ? records.filter((r) => accepts(consumer, r)) : records;
      const size = consumer?.batchSize ?? PAGE;
      for (let start = 0; start < given.length; start += size) {
        const failed = await deliver(given.slice(start, start + size));
        if (failed) {
          const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: failed }));
          iterators.set(shardId, ShardIterator ?? null);
          return;
        }
      }
      iterators.set(shardId, NextShardIterator ?? null);
      next = Records.length === PAGE ? NextShardIterator : undefined;
    }
  }

  async function poll() {
    try {
      await discover();
      for (const [shardId, iterator] of iterators) if (iterator && running) await pollShard(shardId, iterator);
    } catch (err) {
      if (running) onError(err);
    }
  }

  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => { cycle = poll().finally(schedule); }, intervalMs);
  };
  schedule();

  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await cycle;
      streams.destroy();
    },
  };
}
