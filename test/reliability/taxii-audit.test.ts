/**
 * Issue #22 item 2, as the outside tester reproduced it: TAXII wrote two allowed `taxii` audit
 * entries for a RED incident on answers that never carried it (a page of markings, another
 * object's id, a 404 object, `added_after` in the future, a bad `next`). The trail records what an
 * answer carries, after filtering and paging, once per incident; nothing for a 4xx. The same rule
 * for list answers.
 */
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { incidentStixId } from '../../lambdas/integrations/stix';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';

const COLL = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}`;
const TAXII = { accept: 'application/taxii+json;version=2.1' };

let api: TestApi;
let red: string;
let green: string;
beforeAll(async () => {
  api = await startTestApi();
  red = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'], title: 'Red one' }))).body.id;
  green = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], title: 'Green one' }))).body.id;
  await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${red}/notes`, { text: 'a note' });
});
afterAll(() => api.stop());

/** The allowed reads of the RED incident recorded while `act` ran. */
async function readsDuring(act: () => Promise<unknown>): Promise<string[]> {
  const trail = async () => (await api.services.audit.forIncident(red, { limit: 100 })).items.filter((e) => e.outcome === 'allowed').map((e) => e.id);
  const before = new Set(await trail());
  await act();
  const after = (await api.services.audit.forIncident(red, { limit: 100 })).items;
  return after.filter((e) => e.outcome === 'allowed' && !before.has(e.id)).map((e) => e.action);
}

const taxii = (path: string) => api.call(KEYS.partner.fbi, 'GET', path, undefined, TAXII);

describe('#22-2: TAXII records only what an answer carries', () => {
  it('a page of marking-definitions only records no read of the RED incident', async () => {
    expect(await readsDuring(async () => expect((await taxii(`${COLL}/objects/?match[type]=marking-definition&limit=1`)).status).toBe(200))).toEqual([]);
  });

  it('match[id] of another object records no read of the RED incident', async () => {
    expect(await readsDuring(async () => {
      const res = await taxii(`${COLL}/objects/?match[id]=${incidentStixId(green)}`);
      expect(res.body.objects).toHaveLength(1);
    })).toEqual([]);
  });

  it('a 404 object records nothing', async () => {
    expect(await readsDuring(async () => expect((await taxii(`${COLL}/objects/incident--00000000-0000-4000-8000-000000000000/`)).status).toBe(404))).toEqual([]);
  });

  it('added_after in the future records nothing', async () => {
    expect(await readsDuring(async () => expect((await taxii(`${COLL}/objects/?added_after=2999-01-01T00:00:00.000Z`)).body.objects ?? []).toEqual([]))).toEqual([]);
  });

  it('a bad next (400) records nothing', async () => {
    expect(await readsDuring(async () => expect((await taxii(`${COLL}/objects/?next=AAAA`)).status).toBe(400))).toEqual([]);
  });

  it('a page that carries the RED incident records one taxii read, and the manifest or versions that name it one too', async () => {
    expect(await readsDuring(async () => expect((await taxii(`${COLL}/objects/?match[type]=incident`)).status).toBe(200))).toEqual(['taxii']);
    expect(await readsDuring(async () => expect((await taxii(`${COLL}/objects/${incidentStixId(red)}/`)).status).toBe(200))).toEqual(['taxii']);
    expect(await readsDuring(async () => expect((await taxii(`${COLL}/manifest/?match[type]=note`)).body.objects).toHaveLength(1))).toEqual(['taxii']);
  });

  it('the STIX export of the RED incident records one export, however many timeline pages it read', async () => {
    expect(await readsDuring(async () => expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${red}/stix`)).status).toBe(200))).toEqual(['export']);
  });
});

describe('#22-2: list answers record only what they carry', () => {
  it('a list page without the RED incident records no read of it; one with it records one', async () => {
    expect(await readsDuring(async () => expect((await api.call(KEYS.partner.fbi, 'GET', '/v1/incidents?limit=1')).body.items.map((i: { id: string }) => i.id)).toEqual([green]))).toEqual([]);
    expect(await readsDuring(async () => expect((await api.call(KEYS.partner.fbi, 'GET', '/v1/incidents?severity=low')).body.items).toEqual([]))).toEqual([]);
    expect(await readsDuring(async () => expect((await api.call(KEYS.partner.fbi, 'GET', '/v1/incidents?limit=5')).body.items).toHaveLength(2))).toEqual(['list']);
  });
});

describe('#23: the community\'s reads of GREEN are not recorded (only RED and AMBER+STRICT reads are)', () => {
  it('an outside partner reading the GREEN incident everywhere adds no entry to its trail, nor to the RED one\'s', async () => {
    const trail = async (id: string) => (await api.services.audit.forIncident(id, { limit: 100 })).items.map((e) => e.id);
    const before = { green: await trail(green), red: await trail(red) };
    const outsider = KEYS.partner.google;
    expect((await api.call(outsider, 'GET', `/v1/incidents/${green}`)).status).toBe(200);
    expect((await api.call(outsider, 'GET', `/v1/incidents/${green}/timeline`)).status).toBe(200);
    expect((await api.call(outsider, 'GET', `/v1/incidents/${green}/stix`)).status).toBe(200);
    expect((await api.call(outsider, 'GET', '/v1/incidents?scope=community')).body.items.map((i: { id: string }) => i.id)).toEqual([green]);
    const objects = await api.call(outsider, 'GET', `${COLL}/objects/`, undefined, TAXII);
    expect(objects.body.objects.filter((o: { type: string }) => o.type === 'incident').map((o: { id: string }) => o.id)).toEqual([incidentStixId(green)]);
    expect((await api.call(outsider, 'GET', `${COLL}/objects/${incidentStixId(green)}/versions/`, undefined, TAXII)).status).toBe(200);
    expect({ green: await trail(green), red: await trail(red) }).toEqual(before);
  });
});
