/** #27: gathered, the organizations' and policies' reads notices make at the same time, made together. */
import fc from 'fast-check';
import { gathered } from '../../lambdas/shared/gathered';

/** A keyed store whose reads each wait until the test lets them answer; they read the values as they are when they start. */
function store(values: Record<string, number>) {
  const reads: Array<{ keys: string[]; answer(): void; fail(): void }> = [];
  const read = (keys: string[]) => {
    const found = new Map(keys.filter((k) => k in values).map((k) => [k, values[k]!] as const));
    return new Promise<ReadonlyMap<string, number>>((resolve, reject) => {
      reads.push({ keys, answer: () => resolve(found), fail: () => reject(new Error('unreachable')) });
    });
  };
  return { values, reads, read };
}
const tick = () => new Promise((r) => setImmediate(r));

it('an ask alone reads at once; asks made while a read is under way are answered by one read of all their keys, started after them', async () => {
  const s = store({ a: 1, b: 2, c: 3 });
  const ask = gathered(s.read);
  const first = ask(['a', 'b']);
  expect(s.reads.map((r) => r.keys)).toEqual([['a', 'b']]);
  // A change committed after the first read started, before the next asks: they see it.
  s.values.a = 10;
  const second = ask(['b', 'a']);
  const third = ask(['c', 'c', 'gone']);
  await tick();
  expect(s.reads).toHaveLength(1);
  s.reads[0]!.answer();
  expect([...(await first)]).toEqual([['a', 1], ['b', 2]]);
  await tick();
  expect(s.reads.map((r) => r.keys)).toEqual([['a', 'b'], ['b', 'a', 'c', 'gone']]);
  s.reads[1]!.answer();
  expect([...(await second)]).toEqual([['b', 2], ['a', 10]]);
  expect([...(await third)]).toEqual([['c', 3]]);
  // Nothing is kept: a later ask reads again.
  const fourth = ask(['a']);
  expect(s.reads).toHaveLength(3);
  s.reads[2]!.answer();
  expect([...(await fourth)]).toEqual([['a', 10]]);
});

it('a read that fails fails the asks it answers and only them; the next asks read again', async () => {
  const s = store({ a: 1 });
  const ask = gathered(s.read);
  const first = ask(['a']);
  const second = ask(['a']);
  const third = ask(['a']);
  s.reads[0]!.answer();
  expect([...(await first)]).toEqual([['a', 1]]);
  await tick();
  s.reads[1]!.fail();
  await expect(second).rejects.toThrow('unreachable');
  await expect(third).rejects.toThrow('unreachable');
  const fourth = ask(['a']);
  expect(s.reads).toHaveLength(3);
  s.reads[2]!.answer();
  expect([...(await fourth)]).toEqual([['a', 1]]);
});

it('a read that throws at once fails its asks as one that rejects, and the asks after it still read', async () => {
  let calls = 0;
  const ask = gathered((keys: string[]) => {
    calls++;
    if (calls === 1) throw new Error('no client');
    return Promise.resolve(new Map(keys.map((k) => [k, k.length] as const)));
  });
  await expect(ask(['a'])).rejects.toThrow('no client');
  expect([...(await ask(['bb']))]).toEqual([['bb', 2]]);
});

it('property: whatever the interleaving of asks, changes, reads and failures, every ask settles, and its answer holds every change committed before it asked', async () => {
  const KEYS = ['a', 'b', 'c'];
  await fc.assert(fc.asyncProperty(
    fc.scheduler(),
    fc.array(fc.record({ keys: fc.subarray(KEYS, { minLength: 1 }), change: fc.option(fc.constantFrom(...KEYS)) }), { minLength: 1, maxLength: 10 }),
    fc.array(fc.boolean(), { maxLength: 10 }),
    async (s, steps, failures) => {
      const version: Record<string, number> = { a: 0, b: 0, c: 0 };
      let reads = 0;
      // A read sees the store as it is when it starts, answers when the scheduler says, and fails as `failures` says.
      const read = (keys: string[]) => {
        const seen = new Map(keys.map((k) => [k, version[k]!] as const));
        const fails = failures[reads++] ?? false;
        return s.schedule(Promise.resolve(), 'read answers').then(() => { if (fails) throw new Error('unreachable'); return seen; });
      };
      const ask = gathered(read);
      let settled = 0;
      const outcomes = steps.map((step) => s.schedule(Promise.resolve(), 'ask').then(async () => {
        if (step.change) version[step.change]!++;
        const floor = { ...version };
        try {
          const found = await ask(step.keys);
          for (const k of step.keys) expect(found.get(k)).toBeGreaterThanOrEqual(floor[k]!);
        } catch (err) {
          if ((err as Error).message !== 'unreachable') throw err;
        } finally {
          settled++;
        }
      }));
      // A read a group starts once the read before it answered is scheduled after that: run until
      // nothing is left to schedule (bounded: a group that never starts leaves asks unsettled).
      for (let round = 0; round < 100 && settled < steps.length; round++) {
        await s.waitAll();
        await new Promise((r) => setImmediate(r));
      }
      expect(settled).toBe(steps.length);
      await Promise.all(outcomes);
    },
  ), { numRuns: 300 });
});
