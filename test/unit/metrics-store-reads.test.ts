/**
 * A metrics query reads its plan on every write shard at once. One read that fails fails the
 * query, once every other read has settled: nothing is left reading after the answer (a Lambda is
 * frozen then, and the next invocation would find the requests still in flight).
 */
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { DynamoMetricsStore } from '../../lambdas/adapters/dynamodb/metrics-store';
import { SHARED } from '../../lambdas/domain/metrics/contributions';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoMetricsStore(createDocumentClient({ region: 'us-east-1' }), 'concord', { now: () => new Date() }, 4);
beforeEach(() => ddb.reset());

const later = <T>(value: T) => new Promise<T>((r) => setTimeout(() => r(value), 30));

it('a range read on four shards: shard 1 failing fails the read once the other three have answered', async () => {
  let settled = 0;
  ddb.on(QueryCommand).callsFake(async (input: { ExpressionAttributeValues: Record<string, string> }) => {
    if (String(input.ExpressionAttributeValues[':pk']).endsWith('#1')) throw new Error('shard 1 throttled');
    const page = await later({ Items: [] });
    settled++;
    return page;
  });
  await expect(store.read(SHARED, 'all', 'day', '2026-11-01T00:00:00.000Z', '2026-11-05T00:00:00.000Z')).rejects.toThrow();
  expect(settled).toBe(3);
});

it('a query\'s keys and ranges: the keys failing fails it once every range has answered', async () => {
  let ranges = 0;
  ddb.on(BatchGetCommand).rejects(new Error('throttled'));
  ddb.on(QueryCommand).callsFake(async () => {
    const page = await later({ Items: [] });
    ranges++;
    return page;
  });
  await expect(store.readMany([
    { scope: SHARED, group: 'all', granularity: 'hour', start: '2026-11-01T00:00:00.000Z' },
    { scope: SHARED, group: 'all', granularity: 'week', from: '2026-09-03T00:00:00.000Z', to: '2026-11-05T00:00:00.000Z' },
  ])).rejects.toThrow();
  // One range, read on each of the four shards.
  expect(ranges).toBe(4);
});
