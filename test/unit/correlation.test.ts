/**
 * Correlation never crosses TLP (issue #25), as a property over the in-memory fakes and the domain:
 * random organizations report random incidents (random TLPs, participants, shared observables in
 * random spellings), add observables, relabel and invite; the stream (the correlator, then the
 * notifier) follows each change, sometimes delivering a record twice. After every step, for every
 * pair of incidents and every organization (as a partner and as a manager), what each learns — the
 * `correlated` events written and as each reader's timeline shows them, the related view, the
 * lookup, the notifications, the STIX export — equals what a reference computed here from the visibility rule
 * allows: zero leaks, zero missed matches, nothing told twice.
 */
import fc from 'fast-check';
import type { Caller } from '../../lambdas/domain/actor';
import { TELL_BATCH, makeCorrelator } from '../../lambdas/domain/correlation';
import { NotFoundError } from '../../lambdas/domain/errors';
import type { Incident, TimelineEvent } from '../../lambdas/domain/incident';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { makeNotifier } from '../../lambdas/domain/notifications';
import { canonicalize, type Observable } from '../../lambdas/domain/observables';
import type { NotificationPublisher, PublishContext, RenderedMessage } from '../../lambdas/domain/ports';
import type { Tlp } from '../../lambdas/domain/tlp';
import { ulidGenerator } from '../../lambdas/shared/ids';
import { incidentBundle } from '../../lambdas/integrations/stix';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository, MemoryObservableIndex } from '../support/memory-repositories';

/** Organizations that report and take part; `outsider` is in the directory and never participates. */
const ORGS = ['meta', 'twitter', 'cisa', 'fbi'] as const;
const EVERYONE = [...ORGS, 'outsider'];
const TLP_LIST: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/** The pool of observables, each in several spellings of one canonical form. */
const POOL: Array<{ type: string; platform?: string; spellings: string[] }> = [
  { type: 'domain-name', spellings: ['polls-closed.example', 'POLLS-CLOSED.example.', 'Polls-Closed.Example'] },
  { type: 'domain-name', spellings: ['münchen-wahl.example', 'xn--mnchen-wahl-thb.example'] },
  { type: 'ipv4-addr', spellings: ['192.0.2.7'] },
  { type: 'ipv6-addr', spellings: ['2001:db8::7', '2001:DB8:0:0:0:0:0:7'] },
  { type: 'user-account', platform: 'twitter', spellings: ['@PollsNow', 'pollsnow'] },
];
const canonicalOf = (i: number): Observable => {
  const c = canonicalize({ type: POOL[i]!.type, value: POOL[i]!.spellings[0]!, ...(POOL[i]!.platform ? { platform: POOL[i]!.platform } : {}) });
  if (!c.ok) throw new Error(c.reason);
  return c.observable;
};
const keyOf = (o: { type: string; value: string; platform?: string }) => `${o.type}|${o.platform ?? ''}|${o.value}`;

// ---- the reference: the visibility rule, written out again here ----
type Role = 'partner' | 'manager';
const sees = (orgId: string, role: Role, i: Pick<Incident, 'participants' | 'tlp'>) =>
  i.participants.includes(orgId) || (role === 'partner' ? ['GREEN', 'CLEAR'].includes(i.tlp) : !['RED', 'AMBER+STRICT'].includes(i.tlp));
/** Whoever may read X (any organization, either role) may see Y. */
const mayKnow = (x: Incident, y: Incident) => EVERYONE.every((o) => (['partner', 'manager'] as const).every((r) => !sees(o, r, x) || sees(o, r, y)));
const sharedKeys = (x: Incident, y: Incident) => x.observables.map(keyOf).filter((k) => y.observables.map(keyOf).includes(k)).sort();

// ---- the commands ----
type Command =
  | { kind: 'report'; reporter: number; others: number[]; tlp: number; observables: Array<[number, number]> }
  | { kind: 'add'; incident: number; observables: Array<[number, number]> }
  | { kind: 'relabel'; incident: number; tlp: number }
  | { kind: 'invite'; incident: number; org: number };

const spelled = fc.tuple(fc.nat(POOL.length - 1), fc.nat(2));
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('report' as const), reporter: fc.nat(ORGS.length - 1), others: fc.uniqueArray(fc.nat(ORGS.length - 1), { maxLength: 2 }), tlp: fc.nat(4), observables: fc.array(spelled, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), incident: fc.nat(20), observables: fc.array(spelled, { minLength: 1, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('relabel' as const), incident: fc.nat(20), tlp: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invite' as const), incident: fc.nat(20), org: fc.nat(ORGS.length - 1) }) },
);

const observablesOf = (list: Array<[number, number]>) => list.map(([i, s]) => {
  const entry = POOL[i]!;
  return { type: entry.type, value: entry.spellings[s % entry.spellings.length]!, ...(entry.platform ? { platform: entry.platform } : {}) };
});

class RecordingPublisher implements NotificationPublisher {
  readonly sent: Array<{ orgId: string; context: PublishContext; message: RenderedMessage }> = [];
  async publish(orgId: string, message: RenderedMessage, context: PublishContext) { this.sent.push({ orgId, context, message }); return `m-${this.sent.length}`; }
  async sendSms() {}
}

function world() {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of EVERYONE) directory.organizations.set(id, { id, name: id, kind: 'company', contacts: [{ id: 'duty', name: 'duty', email: `duty@${id}.example`, phone: '+12025550101', red: true }], createdAt: '', updatedAt: '' });
  const clock = new ManualClock();
  const index = new MemoryObservableIndex(repository);
  const service = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {}, observables: index });
  const correlator = makeCorrelator({ index, repository, recordSystemEvents: service.recordSystemEvents, clock });
  const publisher = new RecordingPublisher();
  const notifier = makeNotifier({
    incidents: service, repository, deliveries: repository, directory, publisher, clock, pause: async () => {},
    render: (n) => ({ sms: 'sms', email: { subject: n.event.type, body: JSON.stringify(n.event.data) }, default: 'd' }),
    links: { link: async () => 'https://concord.example/ack' },
  });
  return { repository, service, correlator, notifier, publisher, clock, index };
}

const partner = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: `k-${orgId}` });
const caller = (orgId: string, role: Role): Caller => ({ orgId, role, keyId: `k-${orgId}-${role}` });

/** Across all runs: facts told and told notifications, so the property is known not to hold vacuously. */
const seen = { told: 0, notified: 0, hidden: 0 };

async function run(commands: Command[], redeliver: boolean[]) {
  const w = world();
  const { repository, service, correlator, notifier, publisher, clock } = w;
  const ids: string[] = [];
  /** Every (X, Y, observable) told so far. */
  const told = new Set<string>();
  const current = () => new Map([...repository.records.values()].map((r) => [r.incident.id, r.incident] as const));

  for (const [step, c] of commands.entries()) {
    clock.advance(60);
    let before: Incident | null = null;
    let after: Incident | null = null;
    try {
      if (c.kind === 'report') {
        const reporter = ORGS[c.reporter]!;
        const { incident } = await service.report(partner(reporter), { title: `incident ${step}`, severity: 'high', category: 'misinformation', tlp: TLP_LIST[c.tlp], participants: c.others.map((o) => ORGS[o]!), observables: observablesOf(c.observables) as Observable[] });
        ids.push(incident.id);
        after = (await repository.get(incident.id))!.incident;
      } else {
        if (ids.length === 0) continue;
        const id = ids[c.incident % ids.length]!;
        before = (await repository.get(id))!.incident;
        const reporter = partner(before.reporter.orgId);
        if (c.kind === 'add') await service.addObservables(reporter, id, observablesOf(c.observables));
        if (c.kind === 'relabel') await service.edit(reporter, id, { tlp: TLP_LIST[c.tlp] });
        if (c.kind === 'invite') await service.invite(reporter, id, { orgIds: [ORGS[c.org]!] });
        after = (await repository.get(id))!.incident;
      }
    } catch (err) {
      // A command refused (a patch that changes nothing, an invitation to a participant, a resolved incident): nothing to follow.
      if (!(err instanceof Error) || !['ValidationError', 'ForbiddenError', 'ConflictError'].includes(err.constructor.name)) throw err;
      continue;
    }
    // The stream: the correlator gets the change (sometimes twice), then the notifier each new event.
    const eventsBefore = new Map(ids.map((id) => [id, repository.events.get(id)?.length ?? 0] as const));
    await correlator.onChange(before, after!);
    if (redeliver[step % redeliver.length]) await correlator.onChange(before, after!);
    const now = current();
    const fresh: Array<{ x: string; event: TimelineEvent }> = [];
    for (const id of ids) for (const event of (repository.events.get(id) ?? []).slice(eventsBefore.get(id)!)) if (event.type === 'correlated') fresh.push({ x: id, event });

    // No leak: each new event tells X of Y only if whoever may read X may see Y, and only what they share; nothing twice.
    for (const { x, event } of fresh) {
      const y = String(event.data.incidentId);
      expect(mayKnow(now.get(x)!, now.get(y)!)).toBe(true);
      for (const o of event.data.observables as Observable[]) {
        expect(sharedKeys(now.get(x)!, now.get(y)!)).toContain(keyOf(o));
        const fact = `${x}>${y}>${keyOf(o)}`;
        expect(told.has(fact)).toBe(false);
        told.add(fact);
        seen.told++;
      }
      // The notifier, as the stream delivers the event: its participants who may see Y, by email and app only.
      const sentBefore = publisher.sent.length;
      await notifier.notify(x, event);
      if (redeliver[(step + 1) % redeliver.length]) await notifier.notify(x, event);
      const sent = publisher.sent.slice(sentBefore);
      seen.notified += sent.length;
      expect(sent.map((m) => m.orgId).sort()).toEqual(now.get(x)!.participants.filter((o) => sees(o, 'partner', now.get(y)!)).sort());
      expect(sent.every((m) => m.context.sms === false && m.context.incidentId === x)).toBe(true);
    }
    // No miss: every pair that shares observables, where the rule allows, has been told of all of them.
    for (const x of now.values()) for (const y of now.values()) {
      if (x.id === y.id || !mayKnow(x, y)) continue;
      for (const k of sharedKeys(x, y)) expect(told).toContain(`${x.id}>${y.id}>${k}`);
    }
  }

  // What each organization, as a partner and as a manager, learns by reading.
  const now = current();
  for (const orgId of EVERYONE) for (const role of ['partner', 'manager'] as const) {
    const viewer = caller(orgId, role);
    for (const x of now.values()) {
      if (!sees(orgId, role, x)) {
        await expect(service.related(viewer, x.id, { limit: 100 })).rejects.toBeInstanceOf(NotFoundError);
        await expect(service.timeline(viewer, x.id)).rejects.toBeInstanceOf(NotFoundError);
        continue;
      }
      // The timeline: correlated events only about incidents the reader may see (now), all of those.
      const { events } = await service.timeline(viewer, x.id);
      const shown = events.filter((e) => e.type === 'correlated').map((e) => String(e.data.incidentId));
      const written = (repository.events.get(x.id) ?? []).filter((e) => e.type === 'correlated').map((e) => String(e.data.incidentId));
      expect(shown).toEqual(written.filter((y) => sees(orgId, role, now.get(y)!)));
      seen.hidden += written.length - shown.length;
      // Related: exactly the incidents the reader may see that share an observable, with what they share.
      const related = await service.related(viewer, x.id, { limit: 100 });
      const expected = [...now.values()].filter((y) => y.id !== x.id && sees(orgId, role, y) && sharedKeys(x, y).length > 0)
        .map((y) => ({ id: y.id, shared: sharedKeys(x, y) })).sort((a, b) => (a.id < b.id ? 1 : -1));
      expect(related.items.map((i) => ({ id: i.incident.id, shared: i.shared.map(keyOf).sort() }))).toEqual(expected);
      expect(related.lastId).toBeNull();
      // The STIX export: X's own observables as SCOs, and no other incident named in it at all.
      const bundle = JSON.stringify(incidentBundle({ incident: x, events: await service.unrecorded(viewer, 'export').events(x), organizations: new Map(), baseUrl: 'https://concord.example' }));
      expect([...now.keys()].filter((y) => y !== x.id && bundle.includes(y))).toEqual([]);
      expect(bundle.split('"relationship_type":"related-to"').length - 1).toBe(x.observables.length);
    }
    // The lookup, in every spelling: exactly the incidents the reader may see that carry it.
    for (const [i, entry] of POOL.entries()) {
      const spelling = entry.spellings.at(-1)!;
      const found = await service.lookup(viewer, { type: entry.type, value: spelling, ...(entry.platform ? { platform: entry.platform } : {}) }, { limit: 100 });
      const expected = [...now.values()].filter((x) => sees(orgId, role, x) && x.observables.some((o) => keyOf(o) === keyOf(canonicalOf(i)))).map((x) => x.id).sort().reverse();
      expect(found.items.map((x) => x.id)).toEqual(expected);
    }
  }
  // Restricted incidents answered by related and lookup were recorded as reads of them; none other
  // (a 404 is recorded as a denied read, as for every read).
  const reads = repository.audit.entries.filter((e) => (e.action === 'related' || e.action === 'lookup') && e.outcome === 'allowed');
  expect(reads.every((e) => e.tlp === 'RED' || e.tlp === 'AMBER+STRICT')).toBe(true);
}

it('tells every organization of exactly the matches the visibility rule allows, once, and nothing else', async () => {
  await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 2, maxLength: 14 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), run), { numRuns: 60 });
  expect(seen.told).toBeGreaterThan(20);
  expect(seen.notified).toBeGreaterThan(20);
  expect(seen.hidden).toBeGreaterThan(0);
}, 120_000);

it('a RED incident sharing a domain with a GREEN one: the RED side learns of it, the GREEN side and everyone else never does', async () => {
  const { service, correlator, repository } = world();
  const domain = [{ type: 'domain-name', value: 'polls-closed.example' }];
  const red = (await service.report(partner('meta'), { title: 'red', severity: 'high', category: 'misinformation', tlp: 'RED', observables: domain as Observable[] })).incident;
  await correlator.onChange(null, red);
  const green = (await service.report(partner('twitter'), { title: 'green', severity: 'high', category: 'misinformation', tlp: 'GREEN', observables: [{ type: 'domain-name', value: 'POLLS-CLOSED.example.' }] })).incident;
  expect(await correlator.onChange(null, green)).toEqual([[red.id, green.id]]);
  expect(repository.events.get(green.id)!.map((e) => e.type)).toEqual(['reported']);
  expect((await service.related(partner('meta'), red.id, { limit: 10 })).items.map((i) => i.incident.id)).toEqual([green.id]);
  expect((await service.related(partner('twitter'), green.id, { limit: 10 })).items).toEqual([]);
  expect((await service.lookup(partner('twitter'), domain[0]!, { limit: 10 })).items.map((i) => i.id)).toEqual([green.id]);
  expect((await service.lookup(partner('meta'), domain[0]!, { limit: 10 })).items.map((i) => i.id)).toEqual([green.id, red.id]);
  // Twitter is invited to the RED one: it may see it now, but the GREEN incident's timeline is the
  // whole community's, which may not: still nothing on it; and the RED side was told already.
  const before = (await repository.get(red.id))!.incident;
  await service.invite(partner('meta'), red.id, { orgIds: ['twitter'] });
  expect(await correlator.onChange(before, (await repository.get(red.id))!.incident)).toEqual([]);
  expect(repository.events.get(green.id)!.map((e) => e.type)).toEqual(['reported']);
  expect((await service.related(partner('twitter'), green.id, { limit: 10 })).items.map((i) => i.incident.id)).toEqual([red.id]);
});

it('an AMBER match with the same circle is told both ways; a wider label later reveals it to no new reader', async () => {
  const { service, correlator, repository } = world();
  const domain = [{ type: 'domain-name', value: 'polls-closed.example' }] as Observable[];
  const a = (await service.report(partner('meta'), { title: 'a', severity: 'high', category: 'misinformation', tlp: 'AMBER', participants: ['twitter'], observables: domain })).incident;
  await correlator.onChange(null, a);
  const b = (await service.report(partner('twitter'), { title: 'b', severity: 'high', category: 'misinformation', tlp: 'AMBER', participants: ['meta'], observables: domain })).incident;
  expect(await correlator.onChange(null, b)).toEqual([[b.id, a.id], [a.id, b.id]]);
  // Redelivered: nothing twice.
  expect(await correlator.onChange(null, b)).toEqual([]);
  expect(repository.events.get(a.id)!.filter((e) => e.type === 'correlated')).toHaveLength(1);
  // A relabelled GREEN: the community may read A's timeline now, but not B: the event is not shown to it.
  await service.edit(partner('meta'), a.id, { tlp: 'GREEN' });
  const shown = async (orgId: string) => (await service.timeline(partner(orgId), a.id)).events.filter((e) => e.type === 'correlated').map((e) => e.data.incidentId);
  expect(await shown('cisa')).toEqual([]);
  expect(await shown('twitter')).toEqual([b.id]);
});

it('a correlated event hidden from a new reader takes the notifications about it along: no trace of the match', async () => {
  const { service, correlator, notifier, repository } = world();
  const domain = [{ type: 'domain-name', value: 'polls-closed.example' }] as Observable[];
  const a = (await service.report(partner('meta'), { title: 'a', severity: 'high', category: 'misinformation', tlp: 'AMBER', participants: ['twitter'], observables: domain })).incident;
  await correlator.onChange(null, a);
  const b = (await service.report(partner('twitter'), { title: 'b', severity: 'high', category: 'misinformation', tlp: 'AMBER', participants: ['meta'], observables: domain })).incident;
  await correlator.onChange(null, b);
  const told = repository.events.get(a.id)!.find((e) => e.type === 'correlated')!;
  await notifier.notify(a.id, told);
  const aboutMatch = (events: TimelineEvent[]) => events.filter((e) => e.type === 'correlated' || e.data.about === told.seq || e.data.aboutType === 'correlated');
  // The participants see the match and the notices about it.
  expect(aboutMatch((await service.timeline(partner('twitter'), a.id)).events).length).toBeGreaterThan(1);
  await service.edit(partner('meta'), a.id, { tlp: 'GREEN' });
  // The community, who may read A now but not B: neither the event nor who was notified of it.
  expect(aboutMatch((await service.timeline(partner('cisa'), a.id)).events)).toEqual([]);
  // Even on a page that starts after the correlated event.
  expect(aboutMatch((await service.timeline(partner('cisa'), a.id, { limit: 100, after: told.seq })).events)).toEqual([]);
});

it('pages related incidents and the lookup, newest first, without repeats or gaps', async () => {
  const { service, correlator } = world();
  const domain = [{ type: 'domain-name', value: 'paged.example' }] as Observable[];
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const { incident } = await service.report(partner(ORGS[i % ORGS.length]!), { title: `p${i}`, severity: 'low', category: 'other', tlp: 'GREEN', observables: domain });
    await correlator.onChange(null, incident);
    ids.push(incident.id);
  }
  const viewer = partner('outsider');
  const seenRelated: string[] = [];
  for (let after: string | undefined, pages = 0; pages < 10; pages++) {
    const page = await service.related(viewer, ids[0]!, { limit: 2, after });
    seenRelated.push(...page.items.map((i) => i.incident.id));
    if (!page.lastId) break;
    after = page.lastId;
  }
  expect(seenRelated).toEqual(ids.slice(1).reverse());
  const seenLookup: string[] = [];
  for (let after: string | undefined, pages = 0; pages < 10; pages++) {
    const page = await service.lookup(viewer, { type: 'domain-name', value: 'PAGED.example.' }, { limit: 3, after });
    seenLookup.push(...page.items.map((i) => i.id));
    if (!page.lastId) break;
    after = page.lastId;
  }
  expect(seenLookup).toEqual([...ids].reverse());
});

it('tells one incident of many matches in writes of at most TELL_BATCH, each match once, redelivered or not', async () => {
  const { service, correlator, repository } = world();
  const domain = [{ type: 'domain-name', value: 'popular.example' }] as Observable[];
  for (let i = 0; i < 50; i++) {
    const { incident } = await service.report(partner('twitter'), { title: `m${i}`, severity: 'low', category: 'other', tlp: 'GREEN', observables: domain });
    await correlator.onChange(null, incident);
  }
  const { incident } = await service.report(partner('meta'), { title: 'new', severity: 'low', category: 'other', tlp: 'GREEN', observables: domain });
  const commits: number[] = [];
  const commit = repository.commit.bind(repository);
  repository.commit = async (previous, change) => { if (change.incident.id === incident.id) commits.push(change.events.length); return commit(previous, change); };
  const told = await correlator.onChange(null, incident);
  expect(told.filter(([x]) => x === incident.id)).toHaveLength(50);
  expect(commits).toEqual([TELL_BATCH, 50 - TELL_BATCH]);
  expect(await correlator.onChange(null, incident)).toEqual([]);
  expect(repository.events.get(incident.id)!.filter((e) => e.type === 'correlated')).toHaveLength(50);
});
