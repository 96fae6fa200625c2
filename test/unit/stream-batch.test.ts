/** How the stream consumers walk a batch (runtime/stream-batch.ts): the notifier's phases, the aggregator's batch at once. */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { processInPhases, processTogether } from '../../lambdas/runtime/stream-batch';

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

describe('a phase that takes several keys at once (#27: the notifier pages up to 8 incidents of a batch together)', () => {
  // Records 100…105 of keys a, b, a, b, a, b.
  const keyOf = (s: number) => (s % 2 === 0 ? 'a' : 'b');

  it('keeps each key\'s records in order while another key\'s go on', async () => {
    const calls: string[] = [];
    let releaseA!: () => void;
    const aHeld = new Promise<void>((r) => { releaseA = r; });
    const result = await processInPhases(batch(6), seqOf, [{
      by: (s) => keyOf(s), width: 2,
      handle: async (s) => {
        // a's first record waits until every b record is done: in order, it would wait for ever.
        if (s === 100) await aHeld;
        calls.push(`page ${s}`);
        if (s === 105) releaseA();
      },
    }], (s) => ({ s }));
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['page 101', 'page 103', 'page 105', 'page 100', 'page 102', 'page 104']);
  });

  it('reports the earliest failed record as in order; a key stops at its own failure; a later phase covers only what came before it', async () => {
    const calls: string[] = [];
    const result = await processInPhases(batch(6), seqOf, [
      { by: (s) => keyOf(s), width: 2, handle: async (s) => { if (s === 103 || s === 104) throw new Error('SNS down'); calls.push(`page ${s}`); } },
      async (s) => { calls.push(`chat ${s}`); },
    ], (s) => ({ s }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '103' }]);
    // b stopped at 103 (105 never ran); a went on to 102 (104, after the failure, is redone by the retry).
    expect(calls.filter((c) => c.startsWith('page')).sort()).toEqual(['page 100', 'page 101', 'page 102']);
    expect(calls.filter((c) => c.startsWith('chat'))).toEqual(['chat 100', 'chat 101', 'chat 102']);
  });

  it('a record that cannot be read ends the batch there', async () => {
    const calls: number[] = [];
    const result = await processInPhases(batch(4), (r) => { const s = seqOf(r); if (s === 102) throw new Error('unreadable'); return s; }, [
      { by: (s) => keyOf(s), width: 4, handle: async (s) => { calls.push(s); } },
    ], (s) => ({ s }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '102' }]);
    expect(calls.sort()).toEqual([100, 101]);
  });
});

describe('the whole batch at once (#27: the aggregator folds a batch\'s changes together)', () => {
  it('hands every selected record over in one call, in order', async () => {
    const calls: number[][] = [];
    const result = await processTogether(batch(5), (r) => (seqOf(r) === 102 ? null : seqOf(r)), async (items) => { calls.push(items); }, (items) => ({ items }));
    expect(calls).toEqual([[100, 101, 103, 104]]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('on a failure, names the first selected record: the whole batch is delivered again', async () => {
    const result = await processTogether(batch(4), (r) => (seqOf(r) === 100 ? null : seqOf(r)), async () => { throw new Error('throttled'); }, (items) => ({ items }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '101' }]);
  });

  it('a record that cannot be read ends the batch there: those before it are handled, and it is the failure', async () => {
    const calls: number[][] = [];
    const unreadable = (r: DynamoDBRecord) => { if (seqOf(r) === 102) throw new Error('bad image'); return seqOf(r); };
    const result = await processTogether(batch(4), unreadable, async (items) => { calls.push(items); }, (items) => ({ items }));
    expect(calls).toEqual([[100, 101]]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '102' }]);
    // Nothing before it readable: nothing handled, and it is still the failure.
    const first = await processTogether(batch(2), (r) => { if (seqOf(r) === 100) throw new Error('bad image'); return seqOf(r); }, async (items) => { calls.push(items); }, (items) => ({ items }));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(calls).toHaveLength(1);
  });
});
