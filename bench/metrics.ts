/**
 * Metrics at volume: loads 1,000 and then 100,000 incidents into the embedded engine (the incident
 * items and every metrics item, per visibility scope, the aggregator would have written for them,
 * computed with the same domain and adapter code), then times GET /v1/metrics' query for a manager and
 * counts the items it reads.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { incidentItem } from '../lambdas/adapters/dynamodb/incident-items';
import { itemsFor } from '../lambdas/adapters/dynamodb/metrics-store';
import { CATEGORIES, SEVERITIES, report, acknowledge, resolve, type Caller, type Incident } from '../lambdas/domain/incident';
import { makeMetrics, scopedContributionsOf, type ScopedContribution } from '../lambdas/domain/metrics';
import { DynamoMetricsStore } from '../lambdas/adapters/dynamodb/metrics-store';
import { DynamoIncidentRepository } from '../lambdas/adapters/dynamodb/incident-repository';
import { ulidGenerator } from '../lambdas/domain/ids';
import { INCIDENT_ID_PREFIX } from '../lambdas/domain/ids';
import type { Counter } from './support';
import { progress, timeIt } from './support';

const ORGS = ['fbi', 'odni', 'cisa', 'facebook', 'twitter', 'google', 'microsoft'];
const HISTORY_DAYS = 120;
const END = Date.parse('2026-11-01T00:00:00.000Z');

/** A deterministic pseudo-random history: seeded, so runs compare. */
function* history(count: number, seed = 42): Generator<Incident> {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const start = END - HISTORY_DAYS * 86400_000;
  const times = Array.from({ length: count }, () => start + Math.floor(rnd() * HISTORY_DAYS * 86400_000)).sort((a, b) => a - b);
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

async function batchWrite(db: DynamoDBDocumentClient, table: string, items: Array<Record<string, unknown>>, concurrency = 8) {
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

export async function loadHistory(db: DynamoDBDocumentClient, table: string, count: number) {
  const contributions: ScopedContribution[] = [];
  const incidents: Array<Record<string, unknown>> = [];
  for (const incident of history(count)) {
    incidents.push(incidentItem({ incident, eventCount: incident.version, ackCode: null, escalation: null }));
    contributions.push(...scopedContributionsOf(null, incident));
  }
  const bucketItems = itemsFor(contributions);
  const all = [...incidents, ...bucketItems];
  const bar = progress(`  loading ${count.toLocaleString('en')} incidents (${all.length.toLocaleString('en')} items)`);
  for (let i = 0; i < all.length; i += 2000) {
    await batchWrite(db, table, all.slice(i, i + 2000));
    bar(Math.min(all.length, i + 2000) / all.length);
    if (!process.stderr.isTTY && (i / 2000) % 10 === 9) process.stderr.write(`    ${Math.min(all.length, i + 2000).toLocaleString('en')} of ${all.length.toLocaleString('en')} items\n`);
  }
  bar.done();
}

export async function benchMetrics(db: DynamoDBDocumentClient, table: string, counter: Counter, newTable: (name: string) => Promise<string>) {
  const rows: Array<Record<string, unknown>> = [];
  const windows = [
    { name: 'last 90 days, aligned', from: new Date(END - 90 * 86400_000).toISOString(), to: new Date(END).toISOString() },
    { name: 'last 90 days, unaligned', from: new Date(END - 90 * 86400_000 + 1_234_567).toISOString(), to: new Date(END - 2_345_678).toISOString() },
  ];
  // A manager of cisa: the shared scope and cisa's restricted scope.
  const viewer: Caller = { orgId: 'cisa', role: 'manager', keyId: 'bench' };
  for (const total of [1_000, 100_000]) {
    // A table per volume, so the two histories never mix.
    const name = await newTable(`${table}-${total}`);
    await loadHistory(db, name, total);
    const metrics = makeMetrics({
      store: new DynamoMetricsStore(db, name, { now: () => new Date() }),
      incidents: new DynamoIncidentRepository(db, name),
      organizations: async () => ORGS,
    });
    for (const w of windows) {
      for (const groupBy of [undefined, 'severity', 'org'] as const) {
        counter.reset();
        await metrics.query({ from: w.from, to: w.to, groupBy }, viewer);
        const read = counter.itemsRead;
        const requests = counter.requests;
        const t = await timeIt(() => metrics.query({ from: w.from, to: w.to, groupBy }, viewer), 7);
        rows.push({ incidents: total, window: w.name, groupBy: groupBy ?? '-', p50ms: t.p50, p99ms: t.p99, itemsRead: read, requests });
      }
    }
  }
  return rows;
}
