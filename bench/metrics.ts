/**
 * Metrics at volume and at density: for 1,000 and 100,000 incidents spread over 120 days, and the
 * same packed into one election week (~600 an hour), loads the metrics items the aggregator would
 * have written (per visibility scope, computed with the same domain and adapter code), then times
 * GET /v1/metrics' query for a manager and counts the items it reads, for every window shape and
 * grouping. See bench/README.md for what is loaded and why.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aggregateFromItem, itemsFor, DynamoMetricsStore } from '../lambdas/adapters/dynamodb/metrics-store';
import type { Distribution } from '../lambdas/domain/metrics/sketch';
import { LAYOUT_KEY } from '../lambdas/adapters/dynamodb/keys';
import { CATEGORIES, SEVERITIES, report, acknowledge, resolve, type Incident, GROUP_BYS } from '../lambdas/domain/incident';
import { type Caller } from '../lambdas/domain/actor';
import { makeMetrics } from '../lambdas/domain/metrics/service';
import { UNIT, planWindow } from '../lambdas/domain/metrics/calendar';
import { scopedContributionsOf, scopesVisibleTo, type ScopedContribution } from '../lambdas/domain/metrics/contributions';
import { DynamoIncidentRepository } from '../lambdas/adapters/dynamodb/incident-repository';
import { ulidGenerator, INCIDENT_ID_PREFIX } from '../lambdas/shared/ids';
import type { Counter } from './support';
import { progress, summarize, timeIt } from './support';

const ORGS = ['fbi', 'odni', 'cisa', 'facebook', 'twitter', 'google', 'microsoft'];
const HISTORY_DAYS = 120;
const END = Date.parse('2026-11-01T00:00:00.000Z');

/** A deterministic pseudo-random history of `count` incidents over the `days` before END: seeded, so runs compare. */
export function* history(count: number, days = HISTORY_DAYS, seed = 42): Generator<Incident> {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const start = END - days * 86400_000;
  const times = Array.from({ length: count }, () => start + Math.floor(rnd() * days * 86400_000)).sort((a, b) => a - b);
  for (const [n, t] of times.entries()) {
    const clock = { now: () => new Date(t) };
    const reporter = ORGS[Math.floor(rnd() * ORGS.length)]!;
    const others = ORGS.filter((o) => o !== reporter && rnd() < 0.3);
    const id = INCIDENT_ID_PREFIX + ulidGenerator(clock).next();
    // One incident in ten is RED (chosen by position, so the seeded draws stay as they were).
    const tlp = n % 10 === 9 ? 'RED' as const : undefined;
    let change = report(id, reporter, { title: 'bench', severity: SEVERITIES[Math.floor(rnd() * 4)]!, category: CATEGORIES[Math.floor(rnd() * 7)]!, participants: others, tlp }, new Date(t).toISOString());
    let events = 1;
    const rec = () => ({ incident: change.incident, eventCount: events, ackCode: null, escalation: null });
    for (const org of change.incident.participants) {
      if (rnd() < 0.85) { change = acknowledge(rec(), org, {}, new Date(t + rnd() * 3_600_000).toISOString())!; events++; }
    }
    if (rnd() < 0.9) change = resolve(rec(), { orgId: reporter }, 'done', new Date(t + 3_600_000 + rnd() * 86_400_000 * 3).toISOString());
    yield change.incident;
  }
}

/** Writes `items` in BatchWriteItem requests of 25, `concurrency` at once, retrying what comes back unprocessed. */
export async function batchWrite(db: DynamoDBDocumentClient, table: string, items: Array<Record<string, unknown>>, concurrency = 8) {
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < batches.length) {
      let requests = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
  }));
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface Window { shape: string; from: string; to: string }
export interface Density { name: string; days: number; windows: Window[] }

const window = (shape: string, from: number, to: number): Window => ({ shape, from: new Date(from).toISOString(), to: new Date(to).toISOString() });

/** Every window shape, at both densities: aligned and unaligned spans, one (unaligned) hour and one day. */
export const DENSITIES: Density[] = [
  { name: 'spread over 120 days', days: HISTORY_DAYS, windows: [
    window('90 days, aligned', END - 90 * DAY, END),
    window('90 days, unaligned', END - 90 * DAY + 1_234_567, END - 2_345_678),
    window('one hour, unaligned', END - 10 * DAY + 1_234_567, END - 10 * DAY + 1_234_567 + HOUR),
    window('one day, unaligned', END - 10 * DAY + 1_234_567, END - 9 * DAY + 1_234_567),
  ] },
  { name: 'one election week', days: 7, windows: [
    window('7 days, aligned', END - 7 * DAY, END),
    window('7 days, unaligned', END - 7 * DAY + 1_234_567, END - 2_345_678),
    window('one hour, unaligned', END - DAY + 1_234_567, END - DAY + 1_234_567 + HOUR),
    window('one day, unaligned', END - 2 * DAY + 1_234_567, END - DAY + 1_234_567),
  ] },
];

/**
 * Loads the metrics items of `count` incidents over `days` that any of `windows` can read: every
 * bucket of an hour or more, and the minute and ten-minute buckets and minute contributions of the
 * hours that hold a window's edge. The finer items of other hours, which no query of these windows
 * touches, and the incident
 * items (read only for the current minute, and every window here ends in the past) are left out: at
 * DynamoDB Local's ~1,000 items a second here, they would take the bench past ten minutes.
 */
export async function loadHistory(db: DynamoDBDocumentClient, table: string, count: number, days: number, windows: Window[], shards = 1) {
  const edgeHours = new Set(windows.flatMap((w) => [w.from, w.to]).map((t) => Math.floor(Date.parse(t) / HOUR)));
  const contributions: ScopedContribution[] = [];
  for (const incident of history(count, days)) contributions.push(...scopedContributionsOf(null, incident));
  const items = itemsFor(contributions, shards).filter((item) => {
    const pk = String(item.PK);
    const fine = /#(minute|minute10|contributions)(#\d+)?$/.test(pk);
    return !fine || edgeHours.has(Math.floor(Date.parse(String(item.SK)) / HOUR));
  });
  // The aggregator records when it began writing every bucket size (LAYOUT_KEY) with its first
  // contribution; a history loaded at once must say the same, or queries read it as a table an
  // earlier release wrote (minute, hour and day buckets only) and leave the plan's bound.
  items.push({ ...LAYOUT_KEY, entity: 'metricsLayout', since: new Date(END - days * DAY - DAY).toISOString() });
  const bar = progress(`  loading ${count.toLocaleString('en')} incidents ${days} days (${items.length.toLocaleString('en')} items)`);
  for (let i = 0; i < items.length; i += 2000) {
    await batchWrite(db, table, items.slice(i, i + 2000));
    bar(Math.min(items.length, i + 2000) / items.length);
  }
  bar.done();
  return items.length;
}

/**
 * The most items a query of the window can read, whatever the volume: per scope the viewer sees, per
 * group (plus the total) and per write shard, one per whole bucket of its plan and the minutes'
 * contributions at its two partial ends.
 */
export function itemsBound(w: Window, viewer: Caller, groups: number, shards = 1): number {
  const plan = planWindow(w.from, w.to);
  const perGroup = plan.buckets.reduce((n, b) => n + (Date.parse(b.to) - Date.parse(b.from)) / UNIT[b.granularity], 0) + plan.partial.length;
  return perGroup * scopesVisibleTo(viewer).length * (1 + groups) * shards;
}

export interface MetricsBench { rows: Array<Record<string, unknown>>; comparison: Array<Record<string, unknown>> }

/** Times the query for each density, volume, window and grouping; compares the larger volume with the smaller. */
export async function benchMetrics(db: DynamoDBDocumentClient, table: string, counter: Counter, newTable: (name: string) => Promise<string>, volumes: [number, number], runs: number, shards = 1): Promise<MetricsBench> {
  const rows: Array<Record<string, unknown>> = [];
  // A manager of cisa: the shared scope and cisa's restricted scope.
  const viewer: Caller = { orgId: 'cisa', role: 'manager', keyId: 'bench' };
  for (const density of DENSITIES) {
    for (const total of volumes) {
      // A table per density and volume, so histories never mix.
      const name = await newTable(`${table}-${density.days}d-${total}`);
      const loaded = await loadHistory(db, name, total, density.days, density.windows, shards);
      const store = new DynamoMetricsStore(db, name, { now: () => new Date() }, shards);
      // The layout marker is read once per container, not per query: read before counting.
      await store.allSizesSince();
      const metrics = makeMetrics({
        store,
        incidents: new DynamoIncidentRepository(db, name),
        organizations: async () => ORGS,
      });
      for (const w of density.windows) {
        for (const groupBy of [undefined, ...GROUP_BYS]) {
          counter.reset();
          await metrics.query({ from: w.from, to: w.to, groupBy }, viewer);
          const itemsRead = counter.itemsRead;
          const requests = counter.requests;
          const t = await timeIt(() => metrics.query({ from: w.from, to: w.to, groupBy }, viewer), runs);
          const groups = groupBy === 'org' ? ORGS.length : groupBy === 'severity' ? SEVERITIES.length : groupBy === 'category' ? CATEGORIES.length : 0;
          const bound = itemsBound(w, viewer, groups, shards);
          // Over the bound is a defect of the query, printed as such.
          rows.push({ density: density.name, incidents: total, shards, itemsLoaded: loaded, window: w.shape, groupBy: groupBy ?? '-', p50ms: t.p50, p99ms: t.p99, itemsRead, itemsBound: bound, withinBound: itemsRead <= bound ? 'yes' : 'NO — DEFECT', requests });
        }
      }
    }
  }
  const comparison: Array<Record<string, unknown>> = [];
  const [small, large] = volumes;
  for (const r of rows.filter((x) => x.incidents === large)) {
    const s = rows.find((x) => x.incidents === small && x.density === r.density && x.window === r.window && x.groupBy === r.groupBy)!;
    comparison.push({
      density: r.density, window: r.window, groupBy: r.groupBy, small, large, p50msSmall: s.p50ms, p50msLarge: r.p50ms,
      ratio: +(Number(r.p50ms) / Number(s.p50ms)).toFixed(2), itemsSmall: s.itemsRead, itemsLarge: r.itemsRead, itemsBound: r.itemsBound,
      met: Number(r.p50ms) / Number(s.p50ms) <= 1.5 && Number(r.itemsRead) <= Number(r.itemsBound) ? 'yes' : 'no',
    });
  }
  return { rows, comparison };
}

/**
 * The bucket layout (`figures`, one attribute with runs of empty bins together) against the one
 * before it (an attribute per number, the bins a dense JSON list): the same 2,000 busy buckets (an
 * hour to a week, of 100,000 incidents in one election week, 4 shards) written in each layout to a
 * table of its own, then read back by BatchGetItem and decoded, the two interleaved, 6 rounds after
 * 2 of warm-up. Bytes as DynamoDB counts an item's size (names and values).
 */
export async function benchBucketLayout(db: DynamoDBDocumentClient, newTable: (name: string) => Promise<string>, incidents: number): Promise<Array<Record<string, unknown>>> {
  const bar = progress(`  bucket layouts: ${incidents.toLocaleString('en')} incidents in one week`);
  const contributions: ScopedContribution[] = [];
  for (const incident of history(incidents, 7)) contributions.push(...scopedContributionsOf(null, incident));
  const busy = itemsFor(contributions, 4).filter((item) => /#(hour|hour6|day|week)#\d+$/.test(String(item.PK)));
  const figures = busy.filter((_, i) => i % Math.max(1, Math.floor(busy.length / 2000)) === 0).slice(0, 2000);
  const layouts = { before: figures.map(legacyBucket), figures };
  const tables = { before: await newTable('bench-layout-before'), figures: await newTable('bench-layout-figures') };
  for (const name of ['before', 'figures'] as const) await batchWrite(db, tables[name], layouts[name]);
  const keys = figures.map(({ PK, SK }) => ({ PK, SK }));
  const wall = { before: [] as number[], figures: [] as number[] };
  const cpu = { before: [] as number[], figures: [] as number[] };
  for (let round = 0; round < 8; round++) {
    for (const name of round % 2 ? ['before', 'figures'] as const : ['figures', 'before'] as const) {
      const [c, t] = [process.cpuUsage(), performance.now()];
      for (let i = 0; i < keys.length; i += 100) {
        const out = await db.send(new BatchGetCommand({ RequestItems: { [tables[name]]: { Keys: keys.slice(i, i + 100) } } }));
        for (const item of out.Responses?.[tables[name]] ?? []) aggregateFromItem(item);
      }
      const used = process.cpuUsage(c);
      if (round >= 2) { wall[name].push(performance.now() - t); cpu[name].push((used.user + used.system) / 1000); }
    }
    bar((round + 1) / 8);
  }
  bar.done();
  const size = (item: Record<string, unknown>) => Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + (v === undefined ? 0 : Buffer.byteLength(String(v))), 0);
  return (['before', 'figures'] as const).map((name) => {
    const sizes = layouts[name].map(size);
    return {
      layout: name === 'before' ? 'an attribute per number, dense bins (before)' : 'figures, empty bins run together',
      buckets: keys.length, avgBytes: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length), maxBytes: Math.max(...sizes),
      readMsP50: summarize(wall[name]).p50, nodeCpuMsP50: summarize(cpu[name]).p50,
    };
  });
}

/** A bucket as the layout before `figures` stored it. */
function legacyBucket(item: Record<string, unknown>): Record<string, unknown> {
  const a = aggregateFromItem(item);
  const distribution = (d: Distribution, p: string) => ({
    [`${p}Count`]: d.count, [`${p}Sum`]: d.sum, [`${p}Max`]: d.max, [`${p}Min`]: d.count ? d.min : undefined, [`${p}Sketch`]: d.count ? JSON.stringify(d.toBins()) : undefined,
  });
  return { PK: item.PK, SK: item.SK, entity: 'metrics', version: item.revision, reported: a.reported, acknowledged: a.acknowledged, resolved: a.resolved, ...distribution(a.tta, 'tta'), ...distribution(a.ttr, 'ttr') };
}
