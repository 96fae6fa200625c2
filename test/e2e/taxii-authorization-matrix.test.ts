/**
 * Every caller × TLP through TAXII and the STIX export: a caller reads exactly what
 * GET /v1/incidents shows it — RED and AMBER+STRICT never outside their participants, managers
 * included; invisible is 404 like absent; admins 403; no or unknown key 401. Zero leaks, notes
 * included.
 */
import { TLPS, type Tlp } from '../../lambdas/domain/incident';
import { incidentStixId } from '../../lambdas/integrations/stix';
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { KEYED_CALLERS, expectedRead, type KeyedCaller } from '../support/callers';
import { KEYS, report, startTestApi, type Reply, type TestApi } from '../support/harness';

let api: TestApi;
const COLL = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}`;
const TAXII = 'application/taxii+json;version=2.1';

type Caller = KeyedCaller;
const CALLERS: Record<Caller, string | null> = KEYED_CALLERS;

/** Basic auth with the key as the password, as TAXII clients send it. */
const taxii = (key: string | null, path: string): Promise<Reply> =>
  api.call(null, 'GET', path, undefined, { accept: TAXII, ...(key ? { authorization: `Basic ${Buffer.from(`u:${key}`).toString('base64')}` } : {}) });

const incidents: Partial<Record<Tlp, string>> = {};
const served: Partial<Record<Caller, Reply>> = {};
const manifests: Partial<Record<Caller, Reply>> = {};
const listed: Partial<Record<Caller, string[]>> = {};

beforeAll(async () => {
  api = await startTestApi();
  for (const tlp of TLPS) {
    const id = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp, title: `TLP ${tlp} incident`, participants: ['fbi', 'odni'] }))).body.id;
    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/notes`, { text: `note on the ${tlp} incident` });
    incidents[tlp] = id;
  }
  // One incident only the outsider takes part in: visible to it (and to managers), never to the others' partners.
  await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'RED', title: 'Google only' }));
  for (const [caller, key] of Object.entries(CALLERS) as Array<[Caller, string | null]>) {
    served[caller] = await taxii(key, `${COLL}/objects/?limit=100`);
    manifests[caller] = await taxii(key, `${COLL}/manifest/?limit=100`);
    if (served[caller]!.status === 200) {
      listed[caller] = (await api.call(key, 'GET', '/v1/incidents?limit=100')).body.items.map((i: { id: string }) => i.id);
    }
  }
});
afterAll(() => api.stop());

const cases = TLPS.flatMap((tlp) => (Object.keys(CALLERS) as Caller[]).map((caller) => [tlp, caller] as const));

describe.each(cases)('TLP %s, %s', (tlp, caller) => {
  const key = () => CALLERS[caller];
  const want = () => expectedRead(caller, tlp);

  it('objects and manifest list the incident and its note exactly when GET /v1/incidents does', () => {
    const res = served[caller]!;
    if (want() === 401 || want() === 403) {
      expect([res.status, manifests[caller]!.status]).toEqual([want(), want()]);
      expect(res.headers.get('content-type')).toBe(TAXII);
      return;
    }
    expect(res.status).toBe(200);
    const objects: any[] = res.body.objects;
    const stixId = incidentStixId(incidents[tlp]!);
    expect(objects.some((o) => o.id === stixId)).toBe(want() === 200);
    expect(objects.some((o) => o.type === 'note' && o.content === `note on the ${tlp} incident`)).toBe(want() === 200);
    expect(objects.some((o) => o.type === 'incident' && o.name === `TLP ${tlp} incident`)).toBe(want() === 200);
    expect(manifests[caller]!.body.objects.some((m: { id: string }) => m.id === stixId)).toBe(want() === 200);
    expect(listed[caller]!.includes(incidents[tlp]!)).toBe(want() === 200);
  });

  it('the object, its versions and the STIX export', async () => {
    const stixId = incidentStixId(incidents[tlp]!);
    const object = await taxii(key(), `${COLL}/objects/${stixId}/`);
    const versions = await taxii(key(), `${COLL}/objects/${stixId}/versions/`);
    const bundle = await api.call(key(), 'GET', `/v1/incidents/${incidents[tlp]}/stix`);
    const apiWant = caller === 'admin' ? 403 : want();
    expect([object.status, versions.status, bundle.status]).toEqual([want(), want(), apiWant]);
    if (want() === 404) {
      // Indistinguishable from an object that never existed.
      const never = await taxii(key(), `${COLL}/objects/incident--00000000-0000-4000-8000-000000000000/`);
      expect(object.body.description.replace(stixId, 'X')).toBe(never.body.description.replace('incident--00000000-0000-4000-8000-000000000000', 'X'));
      expect(object.text).not.toContain(`TLP ${tlp} incident`);
    }
  });
});

it('through TAXII each caller sees exactly the incidents GET /v1/incidents lists, nothing else', () => {
  for (const caller of Object.keys(listed) as Caller[]) {
    const viaTaxii = served[caller]!.body.objects.filter((o: any) => o.type === 'incident').map((o: any) => o.external_references[0].external_id).sort();
    expect({ caller, ids: viaTaxii }).toEqual({ caller, ids: [...listed[caller]!].sort() });
    const noteTargets = new Set(served[caller]!.body.objects.filter((o: any) => o.type === 'note').flatMap((o: any) => o.object_refs));
    const incidentIds = new Set(served[caller]!.body.objects.filter((o: any) => o.type === 'incident').map((o: any) => o.id));
    for (const ref of noteTargets) expect(incidentIds.has(ref)).toBe(true);
  }
});
