/** How the notifier walks a batch (runtime/stream-batch.ts): pages for every record before chat for any. */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { processInPhases } from '../../lambdas/runtime/stream-batch';

const batch = (n: number): DynamoDBStreamEvent => ({ Records: Array.from({ length: n }, (_, i) => ({ dynamodb: { SequenceNumber: String(100 + i) } }) as DynamoDBRecord) });
const seqOf = (r: DynamoDBRecord) => Number(r.dynamodb!.SequenceNumber);

it('runs every record through the first phase before any through the second (a hanging chat holds up no page)', async () => {
  const calls: string[] = [];
  const result = await processInPhases(batch(3), seqOf, [async (s) => { calls.push(`page ${s}`); }, async (s) => { calls.push(`chat ${s}`); }], (s) => ({ s }));
  expect(calls).toEqual(['page 100', 'page 101', 'page 102', 'chat 100', 'chat 101', 'chat 102']);
  expect(result.batchItemFailures).toEqual([]);
});

it('retries from the earliest failure of any phase; a later phase covers only what the earlier ones did', async () => {
  const calls: string[] = [];
  const pageFails = await processInPhases(batch(4), seqOf, [
    async (s) => { if (s === 102) throw new Error('SNS down'); calls.push(`page ${s}`); },
    async (s) => { calls.push(`chat ${s}`); },
  ], (s) => ({ s }));
  expect(pageFails.batchItemFailures).toEqual([{ itemIdentifier: '102' }]);
  expect(calls).toEqual(['page 100', 'page 101', 'chat 100', 'chat 101']);
  const chatFails = await processInPhases(batch(4), seqOf, [
    async (s) => { if (s === 103) throw new Error('SNS down'); },
    async (s) => { if (s === 101) throw new Error('Slack down'); },
  ], (s) => ({ s }));
  expect(chatFails.batchItemFailures).toEqual([{ itemIdentifier: '101' }]);
});
