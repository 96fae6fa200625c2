/** The TAXII service over in-memory fakes: a whole collection, however large, page after page. */
import { ulidGenerator } from '../../lambdas/shared/ids';
import type { Caller } from '../../lambdas/domain/actor';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { makeCursorCodec } from '../../lambdas/http/cursor';
import { incidentStixId } from '../../lambdas/integrations/stix';
import { INCIDENTS_COLLECTION_ID, type TaxiiStatus } from '../../lambdas/integrations/taxii';
import { makeTaxiiService, type TaxiiQuery } from '../../lambdas/integrations/taxii-service';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';
import { failing, type Watched } from '../support/watched-rejections';
import { NotFoundError } from '../../lambdas/domain/errors';

function setup(listPage?: number) {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['facebook', 'fbi', 'cisa']) directory.organizations.set(id, { id, name: id.toUpperCase(), kind: 'agency', contacts: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
  const clock = new ManualClock();
  const incidents = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const statuses = new Map<string, TaxiiStatus>();
  const taxii = makeTaxiiService({
    incidents, directory, listPage,
    statuses: { put: async (_org, s) => { statuses.set(s.id, s); }, get: async (_org, id) => statuses.get(id) ?? null },
    cursors: async () => makeCursorCodec('unit-test-secret'),
    baseUrl: () => 'https://concord.example',
    checkReport: (input) => ({ ok: true, input }),
  });
  return { repository, incidents, taxii, clock, directory };
}

const facebook: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k1' };
const fbi: Caller = { orgId: 'fbi', role: 'partner', keyId: 'k2' };

/** Every page of `list`, following `next`. */
async function walk<T>(list: (query: TaxiiQuery) => Promise<{ body: { more: boolean; next?: string; objects: T[] } }>, query: TaxiiQuery = {}) {
  const out: T[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const { body } = await list({ ...query, ...(next ? { next } : {}) });
    out.push(...body.objects);
    expect(body.more).toBe(body.next !== undefined);
    next = body.next;
    pages++;
  } while (next);
  return { out, pages };
}

it('#22-6: a caller with more than 2,000 incidents finds every one in its collection, page after page, in commit order', async () => {
  const { incidents, taxii } = setup(500);
  const ids: string[] = [];
  for (let i = 0; i < 2001; i++) ids.push((await incidents.report(facebook, { title: `I${i}`, severity: 'low', category: 'other', tlp: i % 3 ? 'GREEN' : 'RED', participants: ['fbi'] })).incident.id);
  const { out, pages } = await walk((q) => taxii.manifest(fbi, INCIDENTS_COLLECTION_ID, q), { 'match[type]': 'incident' });
  expect(pages).toBe(21);
  // Each incident once, in the order its version was committed (reports at one instant are still ordered).
  expect(out.map((m) => m.id)).toEqual(ids.map(incidentStixId));
  const dates = out.map((m) => m.date_added);
  expect(new Set(dates).size).toBe(dates.length);
  expect(dates).toEqual([...dates].sort());
}, 120_000);

it('#22-6: a change dates the incident after every version committed before it, and an added_after poll from the last date brings exactly it', async () => {
  const { incidents, taxii } = setup(3);
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await incidents.report(facebook, { title: `I${i}`, severity: 'low', category: 'other', tlp: 'GREEN', participants: ['fbi'] })).incident.id);
  const before = await taxii.objects(fbi, INCIDENTS_COLLECTION_ID, { 'match[type]': 'incident' });
  const last = before.headers['x-taxii-date-added-last']!;
  await incidents.addNote(fbi, ids[0]!, 'the oldest changes');
  const polled = await taxii.objects(fbi, INCIDENTS_COLLECTION_ID, { 'match[type]': 'incident', added_after: last });
  expect(polled.body.objects.map((o) => o.id)).toEqual([incidentStixId(ids[0]!)]);
  expect(polled.headers['x-taxii-date-added-first']! > last).toBe(true);
});

describe('#27: the organizations a bundle names are read in one request, not one after another', () => {
  it('the STIX export of an incident: its reporter, participants and note authors, together', async () => {
    const { incidents, taxii, directory } = setup();
    const { incident } = await incidents.report(facebook, { title: 'Shared', severity: 'low', category: 'other', tlp: 'GREEN', participants: ['fbi', 'cisa'] });
    await incidents.addNote(fbi, incident.id, 'On it.');
    const one = jest.spyOn(directory, 'getOrganization');
    const many = jest.spyOn(directory, 'getOrganizations');
    const bundle = await taxii.exportBundle(facebook, incident.id);
    expect(bundle.objects.filter((o) => o.type === 'identity').map((o) => o.name).sort()).toEqual(['CISA', 'FACEBOOK', 'FBI']);
    expect(one).not.toHaveBeenCalled();
    expect(many).toHaveBeenCalledTimes(1);
    expect([...many.mock.calls[0]![0]].sort()).toEqual(['cisa', 'facebook', 'fbi']);
  });

  it('a collection page: every organization of its incidents in one read', async () => {
    const { incidents, taxii, directory } = setup();
    await incidents.report(facebook, { title: 'A', severity: 'low', category: 'other', tlp: 'GREEN', participants: ['fbi'] });
    await incidents.report(fbi, { title: 'B', severity: 'low', category: 'other', tlp: 'GREEN', participants: ['cisa'] });
    const one = jest.spyOn(directory, 'getOrganization');
    const many = jest.spyOn(directory, 'getOrganizations');
    const { body } = await taxii.objects(fbi, INCIDENTS_COLLECTION_ID, {});
    expect(body.objects.filter((o: { type: string }) => o.type === 'incident')).toHaveLength(2);
    expect(one).not.toHaveBeenCalled();
    expect(many).toHaveBeenCalledTimes(1);
  });
});

describe('#27 review: the one read of a bundle\'s organizations', () => {
  it('an organization gone from the directory is named by its id, as before; each organization once', async () => {
    const { incidents, taxii, directory } = setup();
    const { incident } = await incidents.report(facebook, { title: 'Gone', severity: 'low', category: 'other', tlp: 'GREEN', participants: ['fbi', 'cisa'] });
    await incidents.addNote(fbi, incident.id, 'One');
    await incidents.addNote(fbi, incident.id, 'Two');
    directory.organizations.delete('cisa');
    const bundle = await taxii.exportBundle(facebook, incident.id);
    expect(bundle.objects.filter((o) => o.type === 'identity').map((o) => o.name).sort()).toEqual(['FACEBOOK', 'FBI', 'cisa']);
    const { body } = await taxii.objects(fbi, INCIDENTS_COLLECTION_ID, {});
    expect(body.objects.filter((o: { type: string }) => o.type === 'identity').map((o) => (o as { name?: string }).name).sort()).toEqual(['FACEBOOK', 'FBI', 'cisa']);
  });

  it('a directory that cannot be read: the export and the collection fail, and no rejection is left unobserved', async () => {
    const { incidents, taxii, directory } = setup();
    const { incident } = await incidents.report(facebook, { title: 'Down', severity: 'low', category: 'other', tlp: 'GREEN', participants: ['fbi', 'cisa'] });
    const made: Array<Watched<unknown>> = [];
    directory.getOrganizations = () => failing('directory unreachable', made);
    await expect(taxii.exportBundle(facebook, incident.id)).rejects.toThrow('directory unreachable');
    await expect(taxii.objects(fbi, INCIDENTS_COLLECTION_ID, {})).rejects.toThrow('directory unreachable');
    await new Promise((r) => setTimeout(r, 10));
    expect(made.length).toBeGreaterThan(0);
    expect(made.every((p) => p.observed)).toBe(true);
  });
});

describe('#27: the STIX export reads its incident once', () => {
  it('the incident is read and checked once, then its timeline: not read again for the timeline', async () => {
    const { incidents, taxii, repository } = setup();
    const { incident } = await incidents.report(facebook, { title: 'Once', severity: 'low', category: 'other', tlp: 'GREEN', participants: ['fbi'] });
    await incidents.addNote(fbi, incident.id, 'Seen.');
    const get = jest.spyOn(repository, 'get');
    const bundle = await taxii.exportBundle(fbi, incident.id);
    expect(bundle.objects.filter((o) => o.type === 'note')).toHaveLength(1);
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('an incident the caller may not see is still a 404, read once', async () => {
    const { incidents, taxii, repository } = setup();
    const { incident } = await incidents.report(facebook, { title: 'Theirs', severity: 'low', category: 'other', tlp: 'RED', participants: ['cisa'] });
    const get = jest.spyOn(repository, 'get');
    await expect(taxii.exportBundle(fbi, incident.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(get).toHaveBeenCalledTimes(1);
  });
});

it('a `next` this service did not issue (malformed, or for another listing) is refused naming `next`, TAXII\'s parameter', async () => {
  const { taxii, incidents } = setup();
  for (let i = 0; i < 3; i++) await incidents.report(fbi, { title: `t${i}`, severity: 'low', category: 'other', tlp: 'AMBER', participants: [] });
  const { body } = await taxii.objects(fbi, INCIDENTS_COLLECTION_ID, { limit: 1 });
  for (const [who, next] of [[fbi, 'garbage'], [facebook, body.next!]] as const) {
    const refused = await taxii.objects(who, INCIDENTS_COLLECTION_ID, { limit: 1, next }).then(() => null, (err: unknown) => err);
    expect(refused).toMatchObject({ errors: [{ path: 'next' }] });
  }
});
