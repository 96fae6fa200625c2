/**
 * Fan-out at election-night width, over in-memory fakes: one report to 50 organizations is
 * published with bounded parallelism, each organization exactly once, and recorded in as few
 * transactions as DynamoDB's 100-item limit allows (33 outcomes each: an event, a delivery and the
 * end of its claim).
 */
import type { Change, IncidentRecord } from '../../lambdas/domain/incident';
import type { Caller } from '../../lambdas/domain/actor';
import { RECORD_BATCH } from '../../lambdas/domain/notifications';
import { FaultyPublisher } from '../support/faulty-publisher';
import { notifierOverFakes } from '../support/notifier-fakes';

const ORGS = Array.from({ length: 50 }, (_, i) => `org-${String(i).padStart(2, '0')}`);

function setup() {
  const publisher = new FaultyPublisher();
  const fakes = notifierOverFakes(ORGS, publisher);
  const commits: Change[] = [];
  const commit = fakes.repository.commit.bind(fakes.repository);
  fakes.repository.commit = async (previous: IncidentRecord, change: Change) => { commits.push(change); return commit(previous, change); };
  let inFlight = 0;
  let most = 0;
  const publish = publisher.publish.bind(publisher);
  publisher.publish = async (...args) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 2));
    try { return await publish(...args); } finally { inFlight--; }
  };
  return { ...fakes, publisher, commits, mostInFlight: () => most };
}

const reporter: Caller = { orgId: 'org-00', role: 'partner', keyId: 'k' };

it('publishes to 50 organizations at most 10 at a time, each once, and records them in two transactions', async () => {
  const { incidents, notifier, publisher, commits, mostInFlight, repository } = setup();
  const { incident } = await incidents.report(reporter, { title: 't', severity: 'critical', category: 'ransomware', participants: ORGS });
  commits.length = 0;
  const event = (await repository.timeline(incident.id, { limit: 1 })).events[0]!;
  const outcome = await notifier.notify(incident.id, event);
  expect(Object.values(outcome).filter((s) => s === 'sent')).toHaveLength(50);
  expect(Object.values(publisher.countsFor(incident.id))).toEqual(Array(50).fill(1));
  expect(mostInFlight()).toBeLessThanOrEqual(10);
  expect(mostInFlight()).toBeGreaterThan(1);
  expect(commits.map((c) => c.events.length)).toEqual([RECORD_BATCH, 50 - RECORD_BATCH]);
  // Recorded in the recipients' order, numbered without gaps.
  const { events } = await repository.timeline(incident.id, { limit: 100 });
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.slice(1).map((e) => e.data.orgId)).toEqual(ORGS);

  // Again (a redelivered stream batch): nothing is published or recorded twice.
  commits.length = 0;
  expect(Object.values(await notifier.notify(incident.id, event))).toEqual(Array(50).fill('skipped'));
  expect(Object.values(publisher.countsFor(incident.id))).toEqual(Array(50).fill(1));
  expect(commits).toEqual([]);
});

it('reads delivery statuses and organizations a batch at a time, not one request per organization in turn', async () => {
  const { incidents, notifier, repository, directory } = setup();
  const { incident } = await incidents.report(reporter, { title: 't', severity: 'critical', category: 'ransomware', participants: ORGS });
  const event = (await repository.timeline(incident.id, { limit: 1 })).events[0]!;
  const calls = { statuses: 0, getOrganization: 0, getOrganizations: 0 };
  const statuses = repository.statuses.bind(repository);
  repository.statuses = (...args) => { calls.statuses++; return statuses(...args); };
  for (const name of ['getOrganization', 'getOrganizations'] as const) {
    const real = (directory[name] as (...a: unknown[]) => unknown).bind(directory);
    (directory as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => { calls[name]++; return real(...args); };
  }
  const claims: string[] = [];
  const claim = repository.claim.bind(repository);
  repository.claim = (d, ...rest) => { claims.push(d.orgId); return claim(d, ...rest); };
  await notifier.notify(incident.id, event);
  // None: a claim checks, in its own write, that its delivery is not recorded, and a record is
  // written only if none is there (#27: the statuses were read four times a notice, before and
  // after claiming and before each recorded batch).
  expect(calls).toEqual({ statuses: 0, getOrganization: 0, getOrganizations: 1 });
  // A claim is one conditional write per delivery (a transaction would fail them all for one held), each once.
  expect([...claims].sort()).toEqual([...ORGS].sort());
});

it('#22-6: concurrent replays and stream retries over the in-memory fakes publish each failed delivery once, and a lease left by a dead run ends', async () => {
  const { incidents, notifier, repository, publisher, clock } = setup();
  const { incident } = await incidents.report(reporter, { title: 't', severity: 'critical', category: 'ransomware', participants: ORGS.slice(0, 5) });
  const event = (await repository.timeline(incident.id, { limit: 1 })).events[0]!;
  for (const org of ORGS.slice(0, 5)) publisher.throttled.set(org, 4);
  await notifier.notify(incident.id, event);
  expect(publisher.countsFor(incident.id)).toEqual({});
  publisher.delayMs = 20;
  const runs = await Promise.all([
    ...Array.from({ length: 5 }, () => notifier.replayFailed()),
    ...Array.from({ length: 3 }, () => notifier.notify(incident.id, event).then(() => null, () => null)),
  ]);
  expect(Object.values(publisher.countsFor(incident.id))).toEqual(Array(5).fill(1));
  expect(runs.reduce((n, r) => n + (r && 'replayed' in r ? r.replayed : 0), 0)).toBe(5);
  // A run that claimed a delivery and died: nobody publishes it until its lease ends, then a replay does, once.
  const { incident: other } = await incidents.report(reporter, { title: 't', severity: 'critical', category: 'ransomware', participants: ['org-07'] });
  const first = (await repository.timeline(other.id, { limit: 1 })).events[0]!;
  expect(await repository.claim({ incidentId: other.id, seq: first.seq, orgId: 'org-07' }, 'dead-run', clock.now(), 60_000)).toBe(true);
  await expect(notifier.notify(other.id, first)).rejects.toThrow(/claimed by another run/);
  expect(await notifier.replayFailed()).toEqual({ replayed: 0, failed: 0 });
  expect(publisher.countsFor(other.id)).toEqual({ 'org-00': 1 });
  clock.advance(61);
  expect(await notifier.replayFailed()).toEqual({ replayed: 1, failed: 0 });
  expect(await notifier.replayFailed()).toEqual({ replayed: 0, failed: 0 });
  expect(await notifier.notify(other.id, first)).toEqual({ 'org-00': 'skipped', 'org-07': 'skipped' });
  expect(publisher.countsFor(other.id)).toEqual({ 'org-00': 1, 'org-07': 1 });
});
