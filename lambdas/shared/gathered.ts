/**
 * Keyed reads gathered while one is under way: the first ask reads at once; an ask made while a
 * read is under way waits for it to end, and is then answered, with every other ask made
 * meanwhile, by one read of all their keys. Every read starts after each ask it answers, so it sees
 * every change committed before that ask, as the ask's own read would; nothing is kept once
 * answered. Under load (many notices at once, each waiting on the table) most reads answer several
 * asks; alone, an ask reads at once as it did on its own.
 * A read that fails fails the asks it answers, and only them.
 */
export function gathered<V>(read: (keys: string[]) => Promise<ReadonlyMap<string, V>>): (keys: readonly string[]) => Promise<Map<string, V>> {
  let busy = false;
  /** The asks made while a read is under way, answered by the next read. */
  let next: Group | null = null;
  /** Asks waiting for the read under way to end; `open` starts their own read. */
  interface Group { keys: Set<string>; answer: Promise<ReadonlyMap<string, V>>; open(): void }

  function newGroup(): Group {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    const keys = new Set<string>();
    return { keys, answer: gate.then(() => start([...keys])), open };
  }

  function start(keys: string[]): Promise<ReadonlyMap<string, V>> {
    busy = true;
    let answer: Promise<ReadonlyMap<string, V>>;
    try {
      answer = read(keys);
    } catch (err) {
      // A read that throws before it returns a promise fails its asks as one that rejects does,
      // and the next ask still reads (nothing waits on a read that never started).
      answer = Promise.reject(err);
    }
    const done = () => {
      busy = false;
      const queued = next;
      next = null;
      queued?.open();
    };
    answer.then(done, done);
    return answer;
  }

  return async (keys) => {
    let found: ReadonlyMap<string, V>;
    if (!busy) {
      found = await start([...new Set(keys)]);
    } else {
      const group = next ?? (next = newGroup());
      for (const key of keys) group.keys.add(key);
      found = await group.answer;
    }
    const out = new Map<string, V>();
    for (const key of keys) if (found.has(key)) out.set(key, found.get(key)!);
    return out;
  };
}
