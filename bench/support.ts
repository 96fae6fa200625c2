/** Benchmark plumbing: request counting, timing, progress on the terminal. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';

/** Counts DynamoDB requests, by operation, and the items they return, with an SDK middleware. */
export class Counter {
  requests = 0;
  itemsRead = 0;
  readonly byOperation = new Map<string, number>();
  reset() { this.requests = 0; this.itemsRead = 0; this.byOperation.clear(); }
  writes() { return ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'].reduce((n, op) => n + (this.byOperation.get(op) ?? 0), 0); }
  reads() { return ['GetItem', 'Query', 'BatchGetItem', 'TransactGetItems', 'Scan'].reduce((n, op) => n + (this.byOperation.get(op) ?? 0), 0); }
}

export function countedClient(endpoint: string, counter: Counter): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ endpoint });
  client.middlewareStack.add((next, context) => async (args) => {
    const out = await next(args);
    counter.requests++;
    const op = String(context.commandName).replace(/Command$/, '');
    counter.byOperation.set(op, (counter.byOperation.get(op) ?? 0) + 1);
    const o = out.output as { Items?: unknown[]; Item?: unknown; Responses?: Record<string, unknown[]> };
    counter.itemsRead += (o.Items?.length ?? 0) + (o.Item ? 1 : 0) + Object.values(o.Responses ?? {}).reduce((n, r) => n + (Array.isArray(r) ? r.length : 0), 0);
    return out;
  }, { step: 'initialize', name: 'concordCounter' });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export interface Timing { p50: number; p99: number; mean: number; n: number }

/** Percentiles of `samples`; NaN (printed as such, `null` in the JSON) when there are none. */
export function summarize(samples: number[]): Timing {
  if (!samples.length) return { p50: NaN, p99: NaN, mean: NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => +(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!).toFixed(2);
  return { p50: at(0.5), p99: at(0.99), mean: +(samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(2), n: samples.length };
}

export async function timeIt(fn: () => Promise<unknown>, runs: number): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/** Runs `fn` `total` times with `concurrency` in flight; latencies and throughput. */
export async function load(fn: (i: number) => Promise<unknown>, total: number, concurrency: number): Promise<Timing & { perSecond: number }> {
  const samples: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      await fn(i);
      samples.push(performance.now() - s);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  return { ...summarize(samples), perSecond: +(total / seconds).toFixed(1) };
}

/** A one-line progress bar on stderr. */
export function progress(label: string) {
  let shown = 0;
  const draw = (fraction: number) => {
    if (!process.stderr.isTTY) {
      // In a log, a line at every tenth.
      const tenth = Math.floor(fraction * 10);
      if (tenth > shown && tenth < 10) { shown = tenth; process.stderr.write(`${label}: ${tenth * 10}%\n`); }
      return;
    }
    const width = 30;
    const filled = Math.round(fraction * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}%`);
  };
  const update = Object.assign(draw, {
    done: () => { if (process.stderr.isTTY) process.stderr.write('\n'); else process.stderr.write(`${label}: done\n`); },
  });
  process.stderr.write(process.stderr.isTTY ? '' : `${label}…\n`);
  return update;
}

export function table(rows: Array<Record<string, unknown>>): string {
  if (!rows.length) return '(none)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c] ?? ''))))].join('\n');
}
