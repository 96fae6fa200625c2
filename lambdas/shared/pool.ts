/**
 * Bounded parallelism: `work` over `items`, at most `width` at once; the results in the items' order.
 * A failure starts no further item and is thrown once the items already running have settled:
 * nothing of the pool is left running after it answers (a Lambda is frozen, or a request answered,
 * while it still sends). The failure thrown is the first to happen.
 */
export async function inPool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(Array.from({ length: Math.min(Math.max(1, width), items.length) }, async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        out[i] = await work(items[i]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  }));
  if (failure) throw failure.error;
  return out;
}

/**
 * Every work at once (one round trip where they are reads), settled before it answers: nothing
 * is left running. A failure is the first one's in the given order, as when run one after another.
 */
export async function allInOrder<T extends readonly unknown[]>(works: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  return ((await takeInOrder<T>(works)) as ReadonlyArray<() => unknown>).map((take) => take()) as unknown as T;
}

/**
 * Every work at once, settled before it answers, each result then taken in turn: a take throws
 * that work's failure. A check made between two takes comes first, as when the works ran one after
 * another with the check between them (a bad body is a 400 even when a later read failed).
 */
export async function takeInOrder<T extends readonly unknown[]>(works: { [K in keyof T]: Promise<T[K]> }): Promise<{ [K in keyof T]: () => T[K] }> {
  const settled = await Promise.allSettled(works);
  return settled.map((s) => () => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  }) as unknown as { [K in keyof T]: () => T[K] };
}
