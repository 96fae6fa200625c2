/** The use cases over in-memory fakes: retries on lost races, visibility, dedup, validation. */
import { redactFor } from '../../lambdas/domain/audit-entry';
import { ForbiddenError, NotFoundError, BusyError, ValidationError } from '../../lambdas/domain/errors';
import { ulidGenerator } from '../../lambdas/shared/ids';
import type { Caller } from '../../lambdas/domain/actor';
import { makeIncidents, mergePages } from '../../lambdas/domain/incident-service';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';

function setup() {
  const incidents = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['facebook', 'fbi', 'cisa', 'google']) {
    directory.organizations.set(id, { id, name: id, kind: 'agency', contacts: [], createdAt: '', updatedAt: '' });
  }
  const clock = new ManualClock();
  const service = makeIncidents({ incidents, directory, audit: incidents.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  return { incidents, clock, service, audit: incidents.audit };
}

const fb: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k1' };
const fbi: Caller = { orgId: 'fbi', role: 'partner', keyId: 'k2' };
const google: Caller = { orgId: 'google', role: 'partner', keyId: 'k3' };
const input = { title: 't', severity: 'high' as const, category: 'ddos' as const, participants: ['fbi'] };

it('retries a command that lost a race and judges it against the new state', async () => {
  const { incidents, service } = setup();
  const { incident } = await service.report(fb, input);
  incidents.failNextCommits = 3;
  const acked = await service.acknowledge(fbi, incident.id, {});
  expect(acked.version).toBe(2);
  expect(incidents.failNextCommits).toBe(0);
});

it('gives up with a 503 when the incident never settles', async () => {
  const { incidents, service } = setup();
  const { incident } = await service.report(fb, input);
  incidents.failNextCommits = 1000;
  await expect(service.acknowledge(fbi, incident.id, {})).rejects.toBeInstanceOf(BusyError);
});

it('hides incidents from non-participants as not found, for reads and commands alike', async () => {
  const { service } = setup();
  const { incident } = await service.report(fb, input);
  await expect(service.get(google, incident.id)).rejects.toBeInstanceOf(NotFoundError);
  await expect(service.timeline(google, incident.id)).rejects.toBeInstanceOf(NotFoundError);
  await expect(service.resolve(google, incident.id, 'x')).rejects.toBeInstanceOf(NotFoundError);
  expect((await service.list(google, { limit: 10 })).items).toEqual([]);
});

it('dedups by (organization, dedupKey) while unresolved', async () => {
  const { service } = setup();
  const a = await service.report(fb, { ...input, dedupKey: 'x' });
  const b = await service.report(fb, { ...input, dedupKey: 'x' });
  expect(b).toEqual({ created: false, incident: a.incident });
  await service.resolve(fb, a.incident.id, 'done');
  expect((await service.report(fb, { ...input, dedupKey: 'x' })).created).toBe(true);
});

it('refuses unknown participants before writing anything', async () => {
  const { incidents, service } = setup();
  await expect(service.report(fb, { ...input, participants: ['nsa'] })).rejects.toBeInstanceOf(ValidationError);
  expect(incidents.records.size).toBe(0);
});

it('takes times from the injected clock', async () => {
  const { clock, service } = setup();
  const { incident } = await service.report(fb, input);
  clock.advance(90);
  const acked = await service.acknowledge(fbi, incident.id, {});
  expect(Date.parse(acked.acknowledgedAt!) - Date.parse(incident.reportedAt)).toBe(90_000);
});

describe('the audit trail', () => {
  const person: Caller = { orgId: 'fbi', role: 'partner', keyId: '', person: { id: 'https://idp.example#alice', name: 'Alice Agent' }, requestId: 'req-7' };

  it('writes every change with its entry, naming the person, in the change itself', async () => {
    const { service, audit } = setup();
    const { incident } = await service.report({ ...fb, requestId: 'req-1' }, { ...input, tlp: 'RED' });
    await service.acknowledge(person, incident.id, {});
    await service.assign(person, incident.id, { orgId: 'fbi' });
    await service.addNote(person, incident.id, 'seen');
    await service.resolve(person, incident.id, 'done');
    expect(audit.entries.map((e) => [e.action, e.actor.orgId, e.actor.personId ?? null, e.tlp, e.outcome, e.requestId])).toEqual([
      ['report', 'facebook', null, 'RED', 'allowed', 'req-1'],
      ['acknowledge', 'fbi', 'https://idp.example#alice', 'RED', 'allowed', 'req-7'],
      ['assign', 'fbi', 'https://idp.example#alice', 'RED', 'allowed', 'req-7'],
      ['note', 'fbi', 'https://idp.example#alice', 'RED', 'allowed', 'req-7'],
      ['resolve', 'fbi', 'https://idp.example#alice', 'RED', 'allowed', 'req-7'],
    ]);
    // A person's `by` is their verified name, in the acknowledgement and on every event.
    const acknowledged = await service.get(person, incident.id);
    expect(acknowledged.acknowledgements[0]).toMatchObject({ orgId: 'fbi', by: 'Alice Agent', via: 'api' });
  });

  it('records reads of restricted incidents, and only those', async () => {
    const { service, audit } = setup();
    const red = (await service.report(fb, { ...input, tlp: 'RED' })).incident;
    const strict = (await service.report(fb, { ...input, tlp: 'AMBER+STRICT' })).incident;
    const amber = (await service.report(fb, { ...input, tlp: 'AMBER' })).incident;
    audit.entries.length = 0;
    await service.get(fbi, red.id);
    await service.get(fbi, amber.id);
    await service.timeline(fbi, strict.id);
    await service.list(fbi, { limit: 10 });
    expect(audit.entries.map((e) => [e.action, e.incidentId, e.outcome])).toEqual([
      ['read', red.id, 'allowed'],
      ['timeline', strict.id, 'allowed'],
      ['list', strict.id, 'allowed'],
      ['list', red.id, 'allowed'],
    ]);
  });

  it('refuses a restricted read (503) when its entry cannot be written, and serves nothing', async () => {
    const { service, audit } = setup();
    const red = (await service.report(fb, { ...input, tlp: 'RED' })).incident;
    audit.failAppends = 1;
    await expect(service.get(fbi, red.id)).rejects.toBeInstanceOf(BusyError);
    audit.failAppends = 1;
    await expect(service.list(fbi, { limit: 10 })).rejects.toBeInstanceOf(BusyError);
    // Unrestricted reads are not audited, so they do not depend on it.
    const amber = (await service.report(fb, { ...input, tlp: 'AMBER' })).incident;
    audit.failAppends = 1;
    await expect(service.get(fbi, amber.id)).resolves.toMatchObject({ id: amber.id });
  });

  it('records a denied read with the id asked for and nothing of the incident, exactly as for a missing one', async () => {
    const { service, audit } = setup();
    const red = (await service.report(fb, { ...input, tlp: 'RED' })).incident;
    audit.entries.length = 0;
    await expect(service.get(google, red.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.get(google, 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF')).rejects.toBeInstanceOf(NotFoundError);
    const [denied, missing] = audit.entries;
    // As an admin reads it (redactFor drops who may see it): the same fields for both.
    expect(redactFor('google', denied!)).toEqual({ id: expect.any(String), at: expect.any(String), actor: { orgId: 'google', by: null, via: 'api', keyId: 'k3' }, action: 'read', incidentId: red.id, requestId: 'unknown', outcome: 'denied', detail: expect.any(String) });
    expect(Object.keys(redactFor('google', missing!)).sort()).toEqual(Object.keys(redactFor('google', denied!)).sort());
    // Seen one by one only by the organization that asked and the incident's participants.
    expect([denied!.participants, missing!.participants]).toEqual([['google', 'facebook', 'fbi'], ['google']]);
  });

  it('shows an incident\'s trail to its participants only', async () => {
    const { service } = setup();
    const amber = (await service.report(fb, { ...input, tlp: 'AMBER' })).incident;
    const page = await service.auditOf(fbi, amber.id, { limit: 10 });
    expect(page.items.map((e) => e.action)).toEqual(['report']);
    await expect(service.auditOf(google, amber.id, { limit: 10 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.auditOf({ orgId: 'google', role: 'manager', keyId: 'm' }, amber.id, { limit: 10 })).rejects.toThrow(/participants/);
  });
});

describe('#23: the community\'s GREEN and CLEAR incidents', () => {
  it('a non-participant reads a GREEN incident, its command is a ForbiddenError recorded as denied, and nothing changes', async () => {
    const { service, audit } = setup();
    const { incident } = await service.report(fb, { ...input, tlp: 'GREEN' });
    expect((await service.get(google, incident.id)).id).toBe(incident.id);
    await expect(service.acknowledge(google, incident.id, {})).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.addNote(google, incident.id, 'x')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await service.get(fb, incident.id)).version).toBe(1);
    const denied = (await audit.forIncident(incident.id, { limit: 100 })).items.filter((e) => e.outcome === 'denied');
    expect(denied.map((e) => [e.action, e.actor.orgId]).sort()).toEqual([['acknowledge', 'google'], ['note', 'google']]);
  });

  it('the whole view (TAXII\'s) pages through own and community incidents merged, newest first, each once', async () => {
    const { service, clock } = setup();
    const made: Array<{ id: string; tlp: string; mine: boolean }> = [];
    for (const [tlp, reporter] of [['GREEN', fb], ['AMBER', google], ['RED', fb], ['CLEAR', google], ['AMBER', fb], ['GREEN', google], ['CLEAR', fb], ['RED', google]] as const) {
      clock.advance(1);
      const { incident } = await service.report(reporter, { ...input, participants: [], tlp });
      made.push({ id: incident.id, tlp, mine: reporter === google });
    }
    const expected = made.filter((m) => m.mine || m.tlp === 'GREEN' || m.tlp === 'CLEAR').map((m) => m.id).reverse();
    for (const limit of [1, 2, 3, 100]) {
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await service.unrecorded(google, 'taxii').list({ limit, after, scope: 'visible' });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((i) => i.id));
        after = page.lastId ?? undefined;
      } while (after);
      expect({ limit, seen }).toEqual({ limit, seen: expected });
    }
  });
});

describe('mergePages', () => {
  const page = (ids: string[], lastId: string | null) => ({ items: ids.map((id) => ({ id }) as never), lastId });
  it('keeps the newest `limit` of both, once each, and says more exists when either had more', () => {
    expect(mergePages(2, [page(['c', 'a'], null), page(['c', 'b'], null)])).toMatchObject({ items: [{ id: 'c' }, { id: 'b' }], lastId: 'b' });
    expect(mergePages(3, [page(['c', 'a'], null), page(['c', 'b'], null)])).toMatchObject({ items: [{ id: 'c' }, { id: 'b' }, { id: 'a' }], lastId: null });
    expect(mergePages(2, [page(['d', 'c'], 'c'), page([], null)])).toMatchObject({ items: [{ id: 'd' }, { id: 'c' }], lastId: 'c' });
    expect(mergePages(2, [page([], null), page([], null)])).toMatchObject({ items: [], lastId: null });
  });
});
