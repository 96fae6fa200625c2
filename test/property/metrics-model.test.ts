/**
 * Metrics against a reference computed directly from the incidents: fast-check-generated
 * histories under an injected clock, folded by the stream aggregator on DynamoDB Local, queried
 * over aligned, unaligned, random (a millisecond to days long) and millisecond windows by two
 * managers, all from buckets (the clock is days past the history). Each manager's
 * reference counts only the incidents `canSee` shows that manager, so RED and AMBER+STRICT
 * incidents of other organizations must change nothing. Counts and means exact, percentiles
 * nearest-rank within 1 %. Incidents are also changed after the fact (#23): reopened and resolved
 * again (the last resolve counts), their TLP narrowed or widened (their figures move between
 * scopes), their severity edited and organizations invited (their figures move between groups):
 * the buckets un-fold what an earlier state contributed, so they stay equal to the reference.
 */
import fc from 'fast-check';
import type { Incident } from '../../lambdas/domain/incident';
import type { Caller } from '../../lambdas/domain/actor';
import { CATEGORIES, SEVERITIES, canSee } from '../../lambdas/domain/incident';
import { TLPS, isRestricted } from '../../lambdas/domain/tlp';
import { SHARED, restrictedScope, scopesOf, type Scope } from '../../lambdas/domain/metrics/contributions';
import { DomainError } from '../../lambdas/domain/errors';
import { DynamoMetricsStore } from '../../lambdas/adapters/dynamodb/metrics-store';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client';
import { readConfig } from '../../lambdas/config/env';
import { ManualClock } from '../support/memory-repositories';
import { KEYS, endpoint, eventually, startTestApi, type TestApi } from '../support/harness';

const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
let api: TestApi;
let store: DynamoMetricsStore;
beforeAll(async () => {
  api = await startTestApi({ metrics: true, overrides: { clock } });
  store = new DynamoMetricsStore(createDocumentClient({ endpoint: endpoint() }), api.tableName, clock, readConfig().writeShards);
}, 120_000);
afterAll(() => api.stop());

const ORGS = ['fbi', 'cisa', 'facebook', 'google', 'odni'] as const;
const partner = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: 't' });
const MANAGERS = [
  { key: KEYS.manager.cisa, caller: { orgId: 'cisa', role: 'manager', keyId: 't' } as Caller },
  { key: KEYS.manager.odni, caller: { orgId: 'odni', role: 'manager', keyId: 't' } as Caller },
];

const history = fc.array(fc.record({
  gapMinutes: fc.integer({ min: 0, max: 240 }),
  reporter: fc.constantFrom(...ORGS),
  others: fc.subarray([...ORGS]),
  severity: fc.constantFrom(...SEVERITIES),
  category: fc.constantFrom(...CATEGORIES),
  tlp: fc.constantFrom(...TLPS),
  acks: fc.array(fc.record({ org: fc.constantFrom(...ORGS), afterSeconds: fc.integer({ min: 0, max: 5000 }) }), { maxLength: 3 }),
  resolveAfterSeconds: fc.option(fc.integer({ min: 1, max: 90_000 }), { nil: null }),
  later: fc.array(fc.oneof(
    fc.record({ op: fc.constant('reopen' as const), resolveAgainAfterSeconds: fc.option(fc.integer({ min: 1, max: 90_000 }), { nil: null }) }),
    fc.record({ op: fc.constant('tlp' as const), tlp: fc.constantFrom(...TLPS) }),
    fc.record({ op: fc.constant('severity' as const), severity: fc.constantFrom(...SEVERITIES) }),
    fc.record({ op: fc.constant('invite' as const), org: fc.constantFrom(...ORGS) }),
  ), { maxLength: 3 }),
}), { minLength: 1, maxLength: 10 });

interface Expected { reported: number; acknowledged: number; resolved: number; tta: number[]; ttr: number[] }
const empty = (): Expected => ({ reported: 0, acknowledged: 0, resolved: 0, tta: [], ttr: [] });

/** Figures per group key; `orgTta`: keys are organizations, each with its own acknowledgement (`orgKeys`: keys are `org#<id>`). */
function reference(incidents: Incident[], from: string, to: string, group?: (i: Incident) => string[], orgTta = false, orgKeys = false) {
  const out = new Map<string, Expected>();
  const at = (k: string) => out.get(k) ?? out.set(k, empty()).get(k)!;
  for (const i of incidents.filter((x) => x.reportedAt >= from && x.reportedAt < to)) {
    for (const k of group ? group(i) : ['all']) {
      const e = at(k);
      e.reported++;
      const org = orgKeys ? (k.startsWith('org#') ? k.slice(4) : null) : orgTta ? k : null;
      const ack = org !== null ? i.acknowledgements.find((a) => a.orgId === org)?.at : i.acknowledgedAt;
      if (ack) { e.acknowledged++; e.tta.push((Date.parse(ack) - Date.parse(i.reportedAt)) / 1000); }
      if (i.resolvedAt) { e.resolved++; e.ttr.push((Date.parse(i.resolvedAt) - Date.parse(i.reportedAt)) / 1000); }
    }
  }
  return out;
}

function expectFigures(got: any, want: Expected) {
  expect(got.incidents).toEqual({ reported: want.reported, acknowledged: want.acknowledged, resolved: want.resolved, open: want.reported - want.resolved });
  for (const [d, values] of [[got.timeToAcknowledge, want.tta], [got.timeToResolve, want.ttr]] as const) {
    expect(d.count).toBe(values.length);
    if (!values.length) { expect(d.meanSeconds).toBeNull(); continue; }
    const sorted = [...values].sort((a, b) => a - b);
    expect(d.meanSeconds).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 2);
    expect(d.maxSeconds).toBeCloseTo(sorted.at(-1)!, 3);
    // Nearest rank: pN is the smallest observation with at least N % of them at or below it.
    for (const [n, v] of [[50, d.p50Seconds], [90, d.p90Seconds], [99, d.p99Seconds]] as const) {
      const exact = sorted[Math.max(1, Math.ceil((n * sorted.length) / 100)) - 1]!;
      expect(Math.abs(v - exact)).toBeLessThanOrEqual(exact * 0.01 + 0.001);
    }
    expect(d.p50Seconds).toBeLessThanOrEqual(d.p90Seconds);
    expect(d.p90Seconds).toBeLessThanOrEqual(d.p99Seconds);
    expect(d.p99Seconds).toBeLessThanOrEqual(d.maxSeconds);
  }
}

/** Windows by their offset from the first report and their length, from a millisecond to days. */
const randomWindows = fc.array(fc.tuple(
  fc.integer({ min: -3_600_000, max: 2 * 86400_000 }),
  fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 1, max: 6 * 3600_000 }), fc.integer({ min: 1, max: 3 * 86400_000 })),
), { minLength: 2, maxLength: 4 });

it('agrees with the reference over random histories and windows', async () => {
  await fc.assert(fc.asyncProperty(history, fc.integer({ min: 0, max: 59 }), fc.integer({ min: 1, max: 59 }), randomWindows, async (steps, startMinute, endMinute, extra) => {
    // Each run starts at a midnight a fortnight on, so runs never share a window.
    clock.advance(14 * 86400 - ((clock.now().getTime() / 1000) % 86400));
    const runStart = clock.now().toISOString();
    const created: string[] = [];
    const reporters = new Map<string, string>();
    for (const step of steps) {
      clock.advance(step.gapMinutes * 60);
      const { incident } = await api.services.incidents.report(partner(step.reporter), { title: 't', severity: step.severity, category: step.category, tlp: step.tlp, participants: step.others });
      created.push(incident.id);
      reporters.set(incident.id, step.reporter);
      const base = clock.now().getTime();
      const acks = step.acks.filter((a) => incident.participants.includes(a.org)).sort((x, y) => x.afterSeconds - y.afterSeconds);
      for (const a of acks) {
        clock.advance((base + a.afterSeconds * 1000 - clock.now().getTime()) / 1000);
        await api.services.incidents.acknowledge(partner(a.org), incident.id, {});
      }
      if (step.resolveAfterSeconds !== null) {
        clock.advance(Math.max(0, (base + step.resolveAfterSeconds * 1000 - clock.now().getTime()) / 1000));
        await api.services.incidents.resolve(partner(step.reporter), incident.id, 'done');
      }
      // Changes after the fact, by the reporter; one the incident's state refuses changes nothing.
      for (const change of step.later) {
        clock.advance(7);
        const by = partner(step.reporter);
        await (async () => {
          switch (change.op) {
            case 'reopen':
              await api.services.incidents.reopen(by, incident.id, 'back');
              if (change.resolveAgainAfterSeconds !== null) {
                clock.advance(change.resolveAgainAfterSeconds);
                await api.services.incidents.resolve(by, incident.id, 'again');
              }
              return;
            case 'tlp': return api.services.incidents.edit(by, incident.id, { tlp: change.tlp });
            case 'severity': return api.services.incidents.edit(by, incident.id, { severity: change.severity });
            case 'invite': return api.services.incidents.invite(by, incident.id, { orgIds: [change.org] });
          }
        })().catch((err) => { if (!(err instanceof DomainError)) throw err; });
      }
    }
    clock.advance(3 * 86400);
    const all: Incident[] = await Promise.all(created.map((id) => api.services.incidents.get(partner(reporters.get(id)!), id)));

    const runEnd = clock.now().toISOString();
    // The aggregator runs behind the commands: wait until every scope's buckets hold every change.
    const dayAfterEnd = new Date(Date.parse(runEnd) + 86400_000).toISOString();
    // Every scope and group an incident may have had: un-folded ones must fall back to what stays.
    const scopes: Scope[] = [SHARED, ...ORGS.map(restrictedScope)];
    const groupsOf = (i: Incident) => ['all', `severity#${i.severity}`, ...i.participants.map((p) => `org#${p}`)];
    const everyGroup = ['all', ...SEVERITIES.map((s) => `severity#${s}`), ...ORGS.map((o) => `org#${o}`)];
    await eventually(async () => {
      for (const scope of scopes) {
        const inScope = all.filter((i) => scopesOf(i).some((x) => JSON.stringify(x) === JSON.stringify(scope)));
        const want = reference(inScope, runStart, dayAfterEnd, groupsOf, false, true);
        for (const group of everyGroup) {
          const w = want.get(group) ?? empty();
          const got = await store.read(scope, group, 'day', runStart, dayAfterEnd);
          if (got.reported !== w.reported || got.acknowledged !== w.acknowledged || got.resolved !== w.resolved) return false;
        }
      }
      return true;
    }, 60_000);

    const firstReport = all[0]!.reportedAt;
    const shifted = (t: string, ms: number) => new Date(Date.parse(t) + ms).toISOString();
    const windows = [
      [runStart, runEnd],
      [shifted(firstReport, startMinute * 60_000), shifted(firstReport, 86400_000 + endMinute * 60_000 + 17_123)],
      [shifted(firstReport, -1), shifted(firstReport, endMinute * 60_000)],
      ...extra.map(([offset, length]) => [shifted(firstReport, offset), shifted(firstReport, offset + length)]),
    ];
    const restricted = all.filter((i) => isRestricted(i.tlp));
    // A millisecond at each restricted report: the window that would give such an incident away.
    const narrow = restricted.map((i) => [i.reportedAt, shifted(i.reportedAt, 1)]);
    for (const { key, caller } of MANAGERS) {
      const visible = all.filter((i) => canSee(caller, i));
      const query = (from: string, to: string, groupBy?: string) =>
        api.call(key, 'GET', `/v1/metrics?from=${from}&to=${to}${groupBy ? `&groupBy=${groupBy}` : ''}`);
      for (const [from, to] of windows) {
        const { body } = await query(from!, to!);
        expectFigures(body, reference(visible, from!, to!).get('all') ?? empty());
        const bySeverity = (await query(from!, to!, 'severity')).body;
        const refSeverity = reference(visible, from!, to!, (i) => [i.severity]);
        for (const g of bySeverity.groups) expectFigures(g, refSeverity.get(g.key) ?? empty());
        const byOrg = (await query(from!, to!, 'org')).body;
        const refOrg = reference(visible, from!, to!, (i) => i.participants, true);
        for (const g of byOrg.groups) expectFigures(g, refOrg.get(g.key) ?? empty());
      }
      for (const [from, to] of narrow) {
        const { body } = await query(from!, to!);
        expectFigures(body, reference(visible, from!, to!).get('all') ?? empty());
        // The manager's own organization participates: the restricted incident is there.
        if (restricted.some((i) => i.reportedAt === from && i.participants.includes(caller.orgId))) expect(body.incidents.reported).toBeGreaterThanOrEqual(1);
        for (const [groupBy, groups] of [['severity', (i: Incident) => [i.severity]], ['category', (i: Incident) => [i.category]]] as const) {
          const ref = reference(visible, from!, to!, groups);
          for (const g of (await query(from!, to!, groupBy)).body.groups) expectFigures(g, ref.get(g.key) ?? empty());
        }
        const refOrg = reference(visible, from!, to!, (i) => i.participants, true);
        for (const g of (await query(from!, to!, 'org')).body.groups) expectFigures(g, refOrg.get(g.key) ?? empty());
      }
    }
  }), { numRuns: 6 });
}, 900_000);

it('answers CSV on Accept: text/csv and refuses bad windows and non-managers', async () => {
  const from = '2026-01-01T00:00:00.000Z';
  const to = '2027-01-01T00:00:00.000Z';
  const csv = await api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${from}&to=${to}&groupBy=severity`, undefined, { accept: 'text/csv' });
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  const lines = csv.text.trim().split('\r\n');
  expect(lines[0]).toMatch(/^group,reported,acknowledged,resolved,open,tta_count/);
  expect(lines.map((l) => l.split(',')[0])).toEqual(['group', 'all', 'critical', 'high', 'medium', 'low']);

  const bad = await api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${to}&to=${from}&groupBy=colour`);
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['groupBy']);
  const backwards = await api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${to}&to=${from}`);
  expect(backwards.body.errors).toEqual([{ path: 'to', message: 'must be after from' }]);
  expect((await api.call(KEYS.manager.cisa, 'GET', '/v1/metrics')).body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['from', 'to']);
  // Offsets and plain dates are accepted and answered in UTC.
  const offset = await api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${encodeURIComponent('2026-01-01T01:00:00+01:00')}&to=2026-02-01`);
  expect(offset.status).toBe(200);
  expect([offset.body.from, offset.body.to]).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
  expect((await api.call(KEYS.manager.cisa, 'GET', '/v1/metrics?from=yesterday&to=2026-02-01')).body.errors).toEqual([{ path: 'from', message: expect.stringContaining('ISO-8601') }]);
  expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/metrics?from=${from}&to=${to}`)).status).toBe(403);
  expect((await api.call(KEYS.admin, 'GET', `/v1/metrics?from=${from}&to=${to}`)).status).toBe(403);
});
