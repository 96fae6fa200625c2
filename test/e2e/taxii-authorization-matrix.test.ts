/**
 * Every caller — systems' keys (HTTP Basic) and people's tokens (Bearer) — × TLP through TAXII and the STIX export: a caller reads exactly what
 * GET /v1/incidents shows it with scope=own and scope=community together — its own incidents and the
 * community's GREEN and CLEAR ones (#23); AMBER never to an outside partner, RED and AMBER+STRICT never
 * outside their participants, managers included; invisible is 404 like absent; admins 403; no or
 * unknown key 401. Zero leaks, notes included.
 */
import { TLPS, type Tlp } from '../../lambdas/domain/tlp';
import { incidentStixId } from '../../lambdas/integrations/stix';
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { KEYED_CALLERS, PEOPLE, asKey, expectedRead, peopleTokens, type KeyedCaller, type Person } from '../support/callers';
import { KEYS, TEST_DIRECTORY, report, startTestApi, type Reply, type TestApi } from '../support/harness';
import { startTestIssuer, trustIssuer, type TestIssuer } from '../support/test-issuer';

let api: TestApi;
let idp: TestIssuer;
let tokens: Record<Person, string>;
const COLL = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}`;
const TAXII = 'application/taxii+json;version=2.1';

type Caller = KeyedCaller | Person;
const CALLERS: Caller[] = [...(Object.keys(KEYED_CALLERS) as KeyedCaller[]), ...PEOPLE];
/** Keys as TAXII clients send them (HTTP Basic, the key as the password); people's tokens as Bearer. */
const authorization = (caller: Caller): Record<string, string> => {
  if (caller in KEYED_CALLERS) {
    const key = KEYED_CALLERS[caller as KeyedCaller];
    return key ? { authorization: `Basic ${Buffer.from(`u:${key}`).toString('base64')}` } : {};
  }
  return { authorization: `Bearer ${tokens[caller as Person]}` };
};
const taxii = (caller: Caller, path: string): Promise<Reply> => api.call(null, 'GET', path, undefined, { accept: TAXII, ...authorization(caller) });
/** The API takes keys and tokens alike as Bearer. */
const apiCall = (caller: Caller, path: string): Promise<Reply> =>
  api.call(caller in KEYED_CALLERS ? KEYED_CALLERS[caller as KeyedCaller] : tokens[caller as Person], 'GET', path);
const want = (caller: Caller, tlp: Tlp) => expectedRead(asKey(caller), tlp);

const incidents: Partial<Record<Tlp, string>> = {};
const served: Partial<Record<Caller, Reply>> = {};
const manifests: Partial<Record<Caller, Reply>> = {};
const listed: Partial<Record<Caller, string[]>> = {};

beforeAll(async () => {
  api = await startTestApi();
  idp = await startTestIssuer();
  await trustIssuer(TEST_DIRECTORY, idp.issuer);
  tokens = await peopleTokens(idp);
  for (const tlp of TLPS) {
    const id = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp, title: `TLP ${tlp} incident`, participants: ['fbi', 'odni'] }))).body.id;
    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/notes`, { text: `note on the ${tlp} incident` });
    incidents[tlp] = id;
  }
  // One incident only the outsider takes part in: visible to it (and to managers), never to the others' partners.
  await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'RED', title: 'Google only' }));
  for (const caller of CALLERS) {
    served[caller] = await taxii(caller, `${COLL}/objects/?limit=100`);
    manifests[caller] = await taxii(caller, `${COLL}/manifest/?limit=100`);
    if (served[caller]!.status === 200) {
      // The collection is the caller's whole view: its own list and the community's, together.
      const own = (await apiCall(caller, '/v1/incidents?limit=100')).body.items.map((i: { id: string }) => i.id);
      const community = (await apiCall(caller, '/v1/incidents?scope=community&limit=100')).body.items.map((i: { id: string }) => i.id);
      listed[caller] = [...new Set([...own, ...community])];
    }
  }
  // Every caller's whole view, read twice over TAXII and twice over the API, beside the other suites
  // on DynamoDB Local: past a minute on two busy cores (nothing here measures speed).
}, 240_000);
afterAll(async () => { await api.stop(); await idp.stop(); });

const cases = TLPS.flatMap((tlp) => CALLERS.map((caller) => [tlp, caller] as const));

describe.each(cases)('TLP %s, %s', (tlp, caller) => {
  const expected = () => want(caller, tlp);

  it('objects and manifest list the incident and its note exactly when GET /v1/incidents does', () => {
    const res = served[caller]!;
    if (expected() === 401 || expected() === 403) {
      expect([res.status, manifests[caller]!.status]).toEqual([expected(), expected()]);
      expect(res.headers.get('content-type')).toBe(TAXII);
      return;
    }
    expect(res.status).toBe(200);
    const objects: any[] = res.body.objects;
    const stixId = incidentStixId(incidents[tlp]!);
    expect(objects.some((o) => o.id === stixId)).toBe(expected() === 200);
    expect(objects.some((o) => o.type === 'note' && o.content === `note on the ${tlp} incident`)).toBe(expected() === 200);
    expect(objects.some((o) => o.type === 'incident' && o.name === `TLP ${tlp} incident`)).toBe(expected() === 200);
    expect(manifests[caller]!.body.objects.some((m: { id: string }) => m.id === stixId)).toBe(expected() === 200);
    expect(listed[caller]!.includes(incidents[tlp]!)).toBe(expected() === 200);
  });

  it('the object, its versions and the STIX export', async () => {
    const stixId = incidentStixId(incidents[tlp]!);
    const object = await taxii(caller, `${COLL}/objects/${stixId}/`);
    const versions = await taxii(caller, `${COLL}/objects/${stixId}/versions/`);
    const bundle = await apiCall(caller, `/v1/incidents/${incidents[tlp]}/stix`);
    const apiWant = asKey(caller) === 'admin' ? 403 : expected();
    expect([object.status, versions.status, bundle.status]).toEqual([expected(), expected(), apiWant]);
    if (expected() === 404) {
      // Indistinguishable from an object that never existed.
      const never = await taxii(caller, `${COLL}/objects/incident--00000000-0000-4000-8000-000000000000/`);
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
