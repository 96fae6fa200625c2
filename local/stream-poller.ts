/**
 * The local stand-in for Lambda's DynamoDB stream event source: reads DynamoDB Local's stream
 * and invokes the same handler with the same event shape. Like the event source, it retries from
 * a batch item failure and never lets a later record overtake a failed one.
 */
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { writeShard } from '../lambdas/adapters/dynamodb/keys';

export interface StreamPoller { stop(): Promise<void> }

export interface PollerOptions {
  endpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
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
const lane = (record: _Record, n: number): number => writeShard(JSON.stringify(record.dynamodb?.Keys?.PK ?? ''), n);

export async function startStreamPoller({ endpoint, tableName, handler, intervalMs = 200, onError = () => {}, parallelization = 1 }: PollerOptions): Promise<StreamPoller> {
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

  async function pollShard(shardId: string, iterator: string) {
    const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    if (Records.length) {
      const lanes = Array.from({ length: Math.max(1, parallelization) }, () => [] as _Record[]);
      for (const r of Records) lanes[parallelization > 1 ? lane(r, parallelization) : 0]!.push(r);
      const results = await Promise.all(lanes.filter((l) => l.length).map((l) => handler({ Records: l.map((r) => toLambdaRecord(r, streamArn!)) })));
      // The earliest failed record of the shard: everything from it is delivered again.
      const failures = new Set(results.flatMap((r) => (r?.batchItemFailures ?? []).slice(0, 1).map((f) => f.itemIdentifier)));
      const failed = Records.find((r) => failures.has(r.dynamodb?.SequenceNumber ?? ''))?.dynamodb?.SequenceNumber;
      if (failed) {
        // Start again at the failed record on the next cycle.
        const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: failed }));
        iterators.set(shardId, ShardIterator ?? null);
        return;
      }
    }
    iterators.set(shardId, NextShardIterator ?? null);
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
