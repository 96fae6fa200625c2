/**
 * Correlation at volume (#25): an index of `incidents × 10` observables — each incident eight of its
 * own and two drawn from a campaign pool of 1,000 values shared across organizations — then, on the
 * loaded table, a new report's correlation work (what the stream consumer does for it: index its
 * observables, query each one's partition, read the matches, tell those the rule allows) and the
 * lookup of a shared value and of a fresh one: DynamoDB requests, items read, time. The work is one
 * Query per observable of the report, whatever the volume; what grows is the matches themselves
 * (a campaign value is on 2 incidents in 1,000, 20 in 10,000, 200 in 100,000), capped at the 1,000
 * newest per observable. Items are written directly (BatchWriteItem), as the service would have.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../lambdas/adapters/dynamodb/audit-log';
import { DynamoIncidentRepository } from '../lambdas/adapters/dynamodb/incident-repository';
import { incidentItem, participationItem } from '../lambdas/adapters/dynamodb/incident-items';
import { DynamoObservableIndex, ENTITY_OBSERVABLE } from '../lambdas/adapters/dynamodb/observable-index';
import { observableEntryKey } from '../lambdas/adapters/dynamodb/keys';
import type { Caller } from '../lambdas/domain/actor';
import { makeCorrelator } from '../lambdas/domain/correlation';
import { report as reportChange, type Incident } from '../lambdas/domain/incident';
import { makeIncidents } from '../lambdas/domain/incident-service';
import { canonicalList, observableKey, type Observable } from '../lambdas/domain/observables';
import type { Tlp } from '../lambdas/domain/tlp';
import { INCIDENT_ID_PREFIX, ulidGenerator } from '../lambdas/shared/ids';
import type { Counter } from './support';
import { performance } from 'node:perf_hooks';
import { progress, summarize } from './support';
import { batchWrite } from './metrics';

const ORGS = ['fbi', 'odni', 'cisa', 'facebook', 'twitter', 'google', 'microsoft'];
const TLPS: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER', 'AMBER', 'AMBER+STRICT', 'RED'];
const CAMPAIGN_POOL = 1_000;
const OWN_PER_INCIDENT = 8;
const SHARED_PER_INCIDENT = 2;

const campaignValue = (i: number) => `campaign-${i}.example`;

/** Loads `count` incidents with their observables and index entries; returns how many items were written. */
async function load(db: DynamoDBDocumentClient, table: string, count: number): Promise<number> {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const start = Date.parse('2026-10-01T00:00:00.000Z');
  const bar = progress(`correlation: loading ${count.toLocaleString('en-US')} incidents × ${OWN_PER_INCIDENT + SHARED_PER_INCIDENT} observables`);
  let written = 0;
  const CHUNK = 500;
  for (let from = 0; from < count; from += CHUNK) {
    const items: Array<Record<string, unknown>> = [];
    for (let n = from; n < Math.min(count, from + CHUNK); n++) {
      const t = start + n * 60_000;
      const id = INCIDENT_ID_PREFIX + ulidGenerator({ now: () => new Date(t) }).next();
      const reporter = ORGS[Math.floor(rnd() * ORGS.length)]!;
      const observables: Observable[] = [
        ...Array.from({ length: OWN_PER_INCIDENT }, (_, k) => ({ type: 'domain-name' as const, value: `own-${n}-${k}.example` })),
        ...Array.from({ length: SHARED_PER_INCIDENT }, () => ({ type: 'domain-name' as const, value: campaignValue(Math.floor(rnd() * CAMPAIGN_POOL)) })),
      ];
      const { incident } = reportChange(id, reporter, { title: 'bench', severity: 'high', category: 'misinformation', tlp: TLPS[Math.floor(rnd() * TLPS.length)], participants: ORGS.filter((o) => o !== reporter && rnd() < 0.2), observables }, new Date(t).toISOString());
      items.push(incidentItem({ incident, eventCount: 1, ackCode: null, escalation: null }));
      for (const org of incident.participants) items.push(participationItem(incident, org));
      for (const o of incident.observables) items.push({ ...observableEntryKey(o.type, observableKey(o), id), entity: ENTITY_OBSERVABLE, incidentId: id, type: o.type, value: o.value });
    }
    await batchWrite(db, table, items);
    written += items.length;
    bar(Math.min(1, (from + CHUNK) / count));
  }
  bar.done();
  return written;
}

export async function benchCorrelation(db: DynamoDBDocumentClient, table: string, counter: Counter, newTable: (name: string) => Promise<string>, volumes: number[], runs: number) {
  const rows: Array<Record<string, unknown>> = [];
  for (const total of volumes) {
    const name = await newTable(`${table}-${total}`);
    const loaded = await load(db, name, total);
    const repository = new DynamoIncidentRepository(db, name);
    const index = new DynamoObservableIndex(db, name);
    const clock = { now: () => new Date() };
    const incidents = makeIncidents({ incidents: repository, directory: { missingOrganizations: async () => [] }, audit: new DynamoAuditLog(db, { tableName: name }), clock, ids: ulidGenerator(clock), observables: index });
    const correlator = makeCorrelator({ index, repository, recordSystemEvents: incidents.recordSystemEvents, clock });
    const reportWork: number[] = [];
    let reportCounts = { requests: 0, itemsRead: 0, writes: 0, matches: 0, told: 0 };
    for (let r = 0; r < runs; r++) {
      // A new report by facebook (AMBER, with twitter): two campaign values and eight of its own.
      const observables = canonicalList([
        { type: 'domain-name', value: campaignValue(r * 7 % CAMPAIGN_POOL) }, { type: 'domain-name', value: campaignValue((r * 7 + 3) % CAMPAIGN_POOL) },
        ...Array.from({ length: 8 }, (_, k) => ({ type: 'domain-name', value: `fresh-${total}-${r}-${k}.example` })),
      ]);
      const caller: Caller = { orgId: 'facebook', role: 'partner', keyId: 'bench' };
      const { incident } = await incidents.report(caller, { title: 'bench report', severity: 'high', category: 'misinformation', tlp: 'AMBER', participants: ['twitter'], observables });
      counter.reset();
      const t0 = performance.now();
      const told = await correlator.onChange(null, incident as Incident);
      reportWork.push(performance.now() - t0);
      if (r === 0) {
        const work = { requests: counter.requests, itemsRead: counter.itemsRead, writes: counter.writes() };
        const matches = new Set<string>();
        for (const o of observables) for (const id of (await index.incidentsWith(o, { limit: 1000 })).incidentIds) if (id !== incident.id) matches.add(id);
        reportCounts = { ...work, matches: matches.size, told: told.length };
      }
    }
    const t = summarize(reportWork);
    rows.push({ incidents: total, observablesIndexed: total * (OWN_PER_INCIDENT + SHARED_PER_INCIDENT), itemsLoaded: loaded, what: 'a report\'s correlation (10 observables, 2 shared)', p50ms: t.p50, p99ms: t.p99, requests: reportCounts.requests, writes: reportCounts.writes, itemsRead: reportCounts.itemsRead, matches: reportCounts.matches, told: reportCounts.told });
    for (const [what, value] of [['lookup of a campaign value (manager)', campaignValue(11)], ['lookup of a fresh value (manager)', `never-seen-${total}.example`]] as const) {
      const viewer: Caller = { orgId: 'cisa', role: 'manager', keyId: 'bench' };
      const samples: number[] = [];
      let counts = { requests: 0, itemsRead: 0, found: 0 };
      for (let r = 0; r < runs; r++) {
        counter.reset();
        const t0 = performance.now();
        const page = await incidents.lookup(viewer, { type: 'domain-name', value }, { limit: 25 });
        samples.push(performance.now() - t0);
        if (r === 0) counts = { requests: counter.requests, itemsRead: counter.itemsRead, found: page.items.length };
      }
      const lt = summarize(samples);
      rows.push({ incidents: total, observablesIndexed: total * (OWN_PER_INCIDENT + SHARED_PER_INCIDENT), itemsLoaded: loaded, what, p50ms: lt.p50, p99ms: lt.p99, requests: counts.requests, writes: 0, itemsRead: counts.itemsRead, matches: counts.found, told: '-' });
    }
  }
  return rows;
}
