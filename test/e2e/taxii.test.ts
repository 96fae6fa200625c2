/**
 * TAXII 2.1 and the STIX export over HTTP, as a TAXII client walks them: discovery → API root →
 * collections → objects (paging, every filter), object, versions, manifest; content negotiation
 * and TAXII error messages; adding objects, the status resource and idempotency.
 */
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { TLP_MARKING_IDS, incidentStixId, tlpMarking } from '../../lambdas/integrations/stix';
import { KEYS, report, startTestApi, type Reply, type TestApi } from '../support/harness';
import { stixProblems } from '../support/stix-schemas';

const TAXII = 'application/taxii+json;version=2.1';
const ROOT = '/taxii2/concord';
const COLL = `${ROOT}/collections/${INCIDENTS_COLLECTION_ID}`;
const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`anyone:${key}`).toString('base64')}` });

let api: TestApi;
const ids: Record<string, string> = {};

/** A TAXII GET with Basic auth (as taxii2-client sends it). */
const get = (key: string | null, path: string, headers: Record<string, string> = {}) =>
  api.call(null, 'GET', path, undefined, { accept: TAXII, ...(key ? basic(key) : {}), ...headers });

const expectTaxiiError = (res: Reply, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe(TAXII);
  expect(res.body).toMatchObject({ title: expect.any(String), description: expect.any(String), http_status: String(status) });
  expect(res.text).not.toMatch(/at \w+ \(|node_modules/);
};

beforeAll(async () => {
  api = await startTestApi();
  const fb = KEYS.partner.facebook;
  ids.green = (await api.call(fb, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], title: 'Green one', links: [{ href: 'https://example.org/a', text: 'a' }] }))).body.id;
  ids.red = (await api.call(fb, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'], title: 'Red one', severity: 'low', category: 'ransomware' }))).body.id;
  ids.amber = (await api.call(fb, 'POST', '/v1/incidents', report({ title: 'Amber one', description: 'described' }))).body.id;
  await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${ids.green}/notes`, { text: 'We see it too.' });
  await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${ids.green}/acknowledge`, { by: 'duty officer' });
});
afterAll(() => api.stop());

describe('discovery, API root, collections', () => {
  it('discovery names the API root; with and without the trailing slash', async () => {
    for (const path of ['/taxii2/', '/taxii2']) {
      const res = await get(KEYS.partner.facebook, path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(TAXII);
      expect(res.body).toEqual({ title: expect.any(String), description: expect.any(String), default: `http://localhost:3000${ROOT}/`, api_roots: [`http://localhost:3000${ROOT}/`] });
    }
  });

  it('the API root advertises TAXII 2.1 and its max_content_length', async () => {
    const res = await get(KEYS.manager.cisa, `${ROOT}/`);
    expect(res.body).toEqual({ title: 'Concord', description: expect.any(String), versions: [TAXII], max_content_length: 65536 });
  });

  it('one collection of incidents; partners may write, managers only read', async () => {
    const partner = await get(KEYS.partner.fbi, `${ROOT}/collections/`);
    expect(partner.body.collections).toEqual([expect.objectContaining({ id: INCIDENTS_COLLECTION_ID, can_read: true, can_write: true, media_types: ['application/stix+json;version=2.1'] })]);
    expect((await get(KEYS.partner.fbi, `${ROOT}/collections`)).body).toEqual(partner.body);
    expect((await get(KEYS.partner.fbi, `${ROOT}`)).status).toBe(200);
    const manager = await get(KEYS.manager.cisa, `${COLL}/`);
    expect(manager.body).toMatchObject({ id: INCIDENTS_COLLECTION_ID, can_read: true, can_write: false });
    expectTaxiiError(await get(KEYS.manager.cisa, `${ROOT}/collections/00000000-0000-4000-8000-000000000000/`), 404);
  });
});

describe('objects', () => {
  it('serves what the caller may see as STIX 2.1 that validates, in an envelope with date headers', async () => {
    const res = await get(KEYS.partner.fbi, `${COLL}/objects/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(TAXII);
    expect(res.body.more).toBe(false);
    const objects: any[] = res.body.objects;
    for (const o of objects) expect(stixProblems(o)).toEqual([]);
    expect(objects.filter((o) => o.type === 'incident').map((o) => o.name).sort()).toEqual(['Green one', 'Red one']);
    expect(objects.filter((o) => o.type === 'note').map((o) => o.content)).toEqual(['We see it too.']);
    expect(objects.filter((o) => o.type === 'identity').map((o) => o.name).sort()).toEqual(['FACEBOOK', 'FBI']);
    expect(res.headers.get('x-taxii-date-added-first')).toMatch(/Z$/);
    expect(res.headers.get('x-taxii-date-added-last')! >= res.headers.get('x-taxii-date-added-first')!).toBe(true);
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
  });

  it('filters: match[type] (comma-separated), match[id], added_after, match[version], match[spec_version]', async () => {
    const types = await get(KEYS.partner.facebook, `${COLL}/objects/?match[type]=incident,note`);
    expect(new Set(types.body.objects.map((o: any) => o.type))).toEqual(new Set(['incident', 'note']));
    const green = incidentStixId(ids.green!);
    const byId = await get(KEYS.partner.facebook, `${COLL}/objects/?match[id]=${green}`);
    expect(byId.body.objects.map((o: any) => o.id)).toEqual([green]);
    const version = byId.body.objects[0].modified;
    for (const v of ['last', 'first', 'all', version]) {
      expect((await get(KEYS.partner.facebook, `${COLL}/objects/?match[id]=${green}&match[version]=${v}`)).body.objects).toHaveLength(1);
    }
    expect((await get(KEYS.partner.facebook, `${COLL}/objects/?match[id]=${green}&match[version]=2000-01-01T00:00:00.000Z`)).body.objects).toEqual([]);
    expect((await get(KEYS.partner.facebook, `${COLL}/objects/?match[spec_version]=2.0`)).body.objects).toEqual([]);
    const manifest = (await get(KEYS.partner.facebook, `${COLL}/manifest/`)).body.objects;
    const cut = manifest[Math.floor(manifest.length / 2)].date_added;
    const after = await get(KEYS.partner.facebook, `${COLL}/objects/?added_after=${cut}`);
    expect(after.body.objects.length).toBe(manifest.filter((m: any) => m.date_added > cut).length);
    expectTaxiiError(await get(KEYS.partner.facebook, `${COLL}/objects/?match[version]=newest`), 400);
    expectTaxiiError(await get(KEYS.partner.facebook, `${COLL}/objects/?added_after=yesterday`), 400);
    expectTaxiiError(await get(KEYS.partner.facebook, `${COLL}/objects/?match[id]=not-an-id`), 400);
    expectTaxiiError(await get(KEYS.partner.facebook, `${COLL}/objects/?bogus=1`), 400);
    expectTaxiiError(await get(KEYS.partner.facebook, `${COLL}/objects/?limit=0`), 400);
  });

  it('pages with limit and a signed next, bound to the caller and the filters', async () => {
    const all = (await get(KEYS.partner.facebook, `${COLL}/objects/`)).body.objects.map((o: any) => o.id);
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const res = await get(KEYS.partner.facebook, `${COLL}/objects/?limit=2${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.objects.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.objects.map((o: any) => o.id));
      expect(res.body.more).toBe(res.body.next !== undefined);
      next = res.body.next;
      pages++;
    } while (next);
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(all);
    const first = (await get(KEYS.partner.facebook, `${COLL}/objects/?limit=2`)).body.next;
    expectTaxiiError(await get(KEYS.partner.fbi, `${COLL}/objects/?limit=2&next=${first}`), 400);
    expectTaxiiError(await get(KEYS.partner.facebook, `${COLL}/objects/?limit=2&match[type]=note&next=${first}`), 400);
    expectTaxiiError(await get(KEYS.partner.facebook, `${COLL}/objects/?limit=2&next=${first.slice(0, -2)}AA`), 400);
    const big = await get(KEYS.partner.facebook, `${COLL}/objects/?limit=100000`);
    expect(big.status).toBe(200);
  });

  it('paging stays complete while incidents change: a changed incident comes again, as its new version', async () => {
    const firstPage = await get(KEYS.partner.facebook, `${COLL}/objects/?match[type]=incident&limit=1`);
    const [oldest] = firstPage.body.objects;
    const concordId = oldest.external_references[0].external_id;
    await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${concordId}/notes`, { text: 'changed while paging' });
    const seen = [oldest];
    let next = firstPage.body.next;
    while (next) {
      const res = await get(KEYS.partner.facebook, `${COLL}/objects/?match[type]=incident&limit=1&next=${encodeURIComponent(next)}`);
      seen.push(...res.body.objects);
      next = res.body.next;
    }
    const now = (await get(KEYS.partner.facebook, `${COLL}/objects/?match[type]=incident`)).body.objects;
    for (const o of now) expect(seen.some((s) => s.id === o.id && s.modified === o.modified)).toBe(true);
    expect(seen.filter((s) => s.id === oldest.id).map((s) => s.modified)).toEqual([oldest.modified, expect.any(String)]);
  });

  it('polling with added_after brings a new incident with everything it refers to', async () => {
    const before = await get(KEYS.partner.facebook, `${COLL}/objects/`);
    const last = before.headers.get('x-taxii-date-added-last')!;
    await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'AMBER+STRICT', participants: ['odni'], title: 'Polled one' }));
    const polled = (await get(KEYS.partner.facebook, `${COLL}/objects/?added_after=${last}`)).body.objects;
    const incident = polled.find((o: any) => o.name === 'Polled one');
    const ids = new Set(polled.map((o: any) => o.id));
    for (const o of polled) {
      for (const ref of [o.created_by_ref, ...(o.object_marking_refs ?? []), ...(o.object_refs ?? [])].filter(Boolean)) expect(ids.has(ref)).toBe(true);
    }
    expect(polled.filter((o: any) => o.type === 'identity').map((o: any) => o.name).sort()).toEqual(['FACEBOOK', 'ODNI']);
    expect(incident.object_marking_refs).toEqual([TLP_MARKING_IDS['AMBER+STRICT']]);
  });

  it('one object, its versions, and 404 for what the caller may not see', async () => {
    const green = incidentStixId(ids.green!);
    const one = await get(KEYS.partner.fbi, `${COLL}/objects/${green}/`);
    expect(one.status).toBe(200);
    expect(one.body.objects.map((o: any) => o.id)).toEqual([green]);
    const versions = await get(KEYS.partner.fbi, `${COLL}/objects/${green}/versions/`);
    expect(versions.body).toEqual({ more: false, versions: [one.body.objects[0].modified] });
    // #23: GREEN is the community's, so Google (outside it) reads it; AMBER stays with its participants.
    expect((await get(KEYS.partner.google, `${COLL}/objects/${green}/`)).body.objects.map((o: any) => o.id)).toEqual([green]);
    expectTaxiiError(await get(KEYS.partner.google, `${COLL}/objects/${incidentStixId(ids.amber!)}/`), 404);
    expectTaxiiError(await get(KEYS.manager.cisa, `${COLL}/objects/${incidentStixId(ids.red!)}/`), 404);
    expectTaxiiError(await get(KEYS.manager.cisa, `${COLL}/objects/${incidentStixId(ids.red!)}/versions/`), 404);
    expectTaxiiError(await get(KEYS.partner.fbi, `${COLL}/objects/incident--00000000-0000-4000-8000-000000000000/`), 404);
  });

  it('the manifest lists id, date_added, version and media type, oldest first', async () => {
    const res = await get(KEYS.partner.fbi, `${COLL}/manifest/?match[type]=incident`);
    expect(res.status).toBe(200);
    for (const m of res.body.objects) expect(m).toEqual({ id: expect.stringMatching(/^incident--/), date_added: expect.any(String), version: expect.any(String), media_type: 'application/stix+json;version=2.1' });
    const dates = res.body.objects.map((m: any) => m.date_added);
    expect(dates).toEqual([...dates].sort());
  });
});

describe('content negotiation and errors', () => {
  it.each([
    [undefined, 200], ['application/taxii+json;version=2.1', 200], ['application/taxii+json', 200], ['*/*', 200],
    ['application/json', 406], ['application/taxii+json;version=2.0', 406], ['text/html', 406],
  ])('Accept %s → %i', async (accept, status) => {
    const headers: Record<string, string> = { ...basic(KEYS.partner.fbi) };
    if (accept) headers.accept = accept;
    const res = await api.call(null, 'GET', `${COLL}/objects/`, undefined, headers);
    if (status === 200) expect(res.status).toBe(200);
    else expectTaxiiError(res, status);
  });

  it('401, 403, 404, 405 as TAXII error messages; the rest of the API keeps problem+json', async () => {
    expectTaxiiError(await get(null, '/taxii2/'), 401);
    expectTaxiiError(await get('not-a-real-key-at-all-0000', `${COLL}/objects/`), 401);
    expectTaxiiError(await get(KEYS.admin, `${COLL}/objects/`), 403);
    expectTaxiiError(await get(KEYS.partner.fbi, '/taxii2/elsewhere/'), 404);
    expectTaxiiError(await api.call(KEYS.partner.fbi, 'DELETE', `${COLL}/objects/`), 405);
    const plain = await api.call(null, 'GET', '/v1/incidents');
    expect(plain.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('adding objects', () => {
  const post = (key: string, body: unknown, contentType = TAXII) =>
    api.call(null, 'POST', `${COLL}/objects/`, typeof body === 'string' ? body : JSON.stringify(body), { ...basic(key), accept: TAXII, 'content-type': contentType });
  const stixIncident = {
    type: 'incident', spec_version: '2.1', id: 'incident--6d3c3a8e-0f1e-4b8e-9a57-2f6f0e1c9b21',
    created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z', name: 'Phishing wave against county clerks',
    object_marking_refs: [TLP_MARKING_IDS.RED], x_concord_participants: ['cisa'],
    extensions: { 'extension-definition--ef765651-680c-498d-9894-99799f2fa126': { extension_type: 'property-extension', determination: 'suspected', investigation_status: 'new', criticality: 95, incident_types: ['dissemination-phishing-emails'] } },
  };
  const indicator = { type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z', pattern: "[url:value = 'http://x.example/']", pattern_type: 'stix', valid_from: '2026-03-01T00:00:00Z' };

  it('reports each incident, accepts markings as context, fails others with a reason; the status is kept for the poster', async () => {
    const res = await post(KEYS.partner.twitter, { objects: [tlpMarking('RED'), stixIncident, indicator] });
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toBe(TAXII);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'complete', request_timestamp: expect.any(String),
      total_count: 3, success_count: 2, failure_count: 1, pending_count: 0,
      failures: [{ id: indicator.id, version: indicator.modified, message: expect.stringContaining('indicator') }],
    });
    expect(res.body.successes.map((s: any) => s.id)).toEqual([TLP_MARKING_IDS.RED, stixIncident.id]);
    const status = await get(KEYS.partner.twitter, `${ROOT}/status/${res.body.id}/`);
    expect(status.body).toEqual(res.body);
    // taxii2-client asks for ../../status/<id> relative to the collection: no trailing slash.
    expect((await get(KEYS.partner.twitter, `${ROOT}/status/${res.body.id}`)).body).toEqual(res.body);
    expectTaxiiError(await get(KEYS.partner.fbi, `${ROOT}/status/${res.body.id}/`), 404);

    const listed = (await api.call(KEYS.partner.twitter, 'GET', '/v1/incidents')).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ title: stixIncident.name, tlp: 'RED', severity: 'critical', category: 'phishing', participants: ['twitter', 'cisa'], dedupKey: stixIncident.id, reporter: { orgId: 'twitter', source: 'taxii' } });
    const version = listed[0].version;

    const again = await post(KEYS.partner.twitter, { objects: [stixIncident] });
    expect(again.body).toMatchObject({ success_count: 1, successes: [{ id: stixIncident.id, message: expect.stringContaining('nothing changed') }] });
    const after = (await api.call(KEYS.partner.twitter, 'GET', '/v1/incidents')).body.items;
    expect(after).toHaveLength(1);
    expect(after[0].version).toBe(version);
  });

  it('adding a STIX id again after its incident is resolved still changes nothing, and Concord\'s own exports posted back are not added', async () => {
    const once = { ...stixIncident, id: 'incident--6a1f4c2e-8b3d-4e5f-9a7b-0c1d2e3f4a5b', object_marking_refs: [TLP_MARKING_IDS.GREEN], x_concord_participants: ['fbi'] };
    const first = await post(KEYS.partner.facebook, { objects: [once] });
    const incidentId = /reported as (inc_\w+)/.exec(first.body.successes[0].message)![1]!;
    expect((await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${incidentId}/resolve`, { resolution: 'handled' })).status).toBe(200);
    const again = await post(KEYS.partner.facebook, { objects: [once] });
    expect(again.body).toMatchObject({ success_count: 1, failure_count: 0, successes: [{ id: once.id, message: `already reported as ${incidentId}; nothing changed` }] });
    const mine = (await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).body.items.filter((i: any) => i.dedupKey === once.id);
    expect(mine.map((i: any) => [i.id, i.status])).toEqual([[incidentId, 'resolved']]);

    // A platform that syncs both ways posts back what it pulled: Concord's own incident, not a new one.
    const exported = JSON.parse((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incidentId}/stix`)).text).objects.find((o: any) => o.type === 'incident');
    const before = (await api.call(KEYS.partner.fbi, 'GET', '/v1/incidents?limit=100')).body.items.length;
    const back = await post(KEYS.partner.fbi, { objects: [exported] });
    expect(back.body).toMatchObject({ success_count: 1, failure_count: 0, successes: [{ id: exported.id, message: expect.stringContaining(`Concord's own incident ${incidentId}`) }] });
    expect((await api.call(KEYS.partner.fbi, 'GET', '/v1/incidents?limit=100')).body.items.length).toBe(before);
  });

  it('keeps the status of a full envelope of long failures (DynamoDB holds 400 KB an item): 202, and what was created is said', async () => {
    // Each of these fails with a long message (14 invalid participants); one valid incident rides along.
    const failing = (i: number) => ({ type: 'incident', id: `incident--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: '', x_concord_participants: Array(14).fill('') });
    const valid = { type: 'incident', spec_version: '2.1', id: 'incident--77777777-0000-4000-8000-000000000001', name: 'Created with a long status' };
    const objects: object[] = [valid];
    while (JSON.stringify({ objects: [...objects, failing(objects.length)] }).length < 64 * 1024 - 64) objects.push(failing(objects.length));
    const res = await post(KEYS.partner.odni, { objects });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ total_count: objects.length, success_count: 1, failure_count: objects.length - 1 });
    expect(res.body.successes[0].message).toMatch(/^reported as inc_/);
    expect((await get(KEYS.partner.odni, `${ROOT}/status/${res.body.id}/`)).body).toEqual(res.body);
  });

  it('unmarked is AMBER; bad incidents fail with reasons and create nothing', async () => {
    const unmarked = { ...stixIncident, id: 'incident--1b4e28ba-2fa1-41d2-883f-0016d3cca427', object_marking_refs: undefined, x_concord_participants: undefined, extensions: undefined };
    const bad = { ...stixIncident, id: 'incident--2c5f39cb-3fb2-42e3-894a-1127e4ddb538', name: '' };
    const unknownOrg = { ...stixIncident, id: 'incident--3d6a4adc-4fc3-43f4-8a5b-2238f5eec649', x_concord_participants: ['no-such-org'] };
    const unversioned = { type: 'malware', spec_version: '2.1', id: 'malware--4e7b5bed-5fd4-44f5-8a6c-3349f6ffa75a', name: 'x', is_family: false };
    const res = await post(KEYS.partner.google, { objects: [unmarked, bad, unknownOrg, unversioned] });
    expect(res.body).toMatchObject({ total_count: 4, success_count: 1, failure_count: 3 });
    // TAXII 2.1 §4.3.1: every status detail names the object's version (one without: the request's time).
    expect([...res.body.successes, ...res.body.failures].map((d: any) => d.version)).toEqual([stixIncident.modified, stixIncident.modified, stixIncident.modified, res.body.request_timestamp]);
    const listed = (await api.call(KEYS.partner.google, 'GET', '/v1/incidents')).body.items;
    expect(listed.map((i: any) => [i.tlp, i.severity, i.category])).toEqual([['AMBER', 'medium', 'other']]);
  });

  it('415 on another content type, 413 past max_content_length, 400 on a bad envelope, 403 for managers', async () => {
    expectTaxiiError(await post(KEYS.partner.fbi, { objects: [stixIncident] }, 'application/json'), 415);
    expectTaxiiError(await post(KEYS.partner.fbi, { objects: [{ ...stixIncident, description: 'x'.repeat(70 * 1024) }] }), 413);
    expectTaxiiError(await post(KEYS.partner.fbi, '{"objects": ['), 400);
    expectTaxiiError(await post(KEYS.partner.fbi, { objects: [] }), 400);
    expectTaxiiError(await post(KEYS.partner.fbi, { objects: [{ type: 'incident' }] }), 400);
    expectTaxiiError(await post(KEYS.manager.cisa, { objects: [stixIncident] }), 403);
    expect((await api.call(KEYS.partner.fbi, 'GET', '/v1/incidents?participant=fbi')).body.items.some((i: any) => i.dedupKey === stixIncident.id)).toBe(false);
  });
});

describe('GET /v1/incidents/{id}/stix', () => {
  it('a bundle whose objects validate, identical when exported twice, 404 where the incident is not visible', async () => {
    const one = await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${ids.red}/stix`);
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toBe('application/stix+json;version=2.1');
    const bundle = JSON.parse(one.text);
    expect(bundle.type).toBe('bundle');
    for (const o of bundle.objects) expect(stixProblems(o)).toEqual([]);
    expect(bundle.objects.find((o: any) => o.type === 'incident')).toMatchObject({ name: 'Red one', object_marking_refs: [TLP_MARKING_IDS.RED] });
    expect((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${ids.red}/stix`)).text).toBe(one.text);
    expect((await api.call(KEYS.manager.cisa, 'GET', `/v1/incidents/${ids.red}/stix`)).status).toBe(404);
    // #23: GREEN is the community's (Google exports it); AMBER is not.
    expect((await api.call(KEYS.partner.google, 'GET', `/v1/incidents/${ids.green}/stix`)).status).toBe(200);
    expect((await api.call(KEYS.partner.google, 'GET', `/v1/incidents/${ids.amber}/stix`)).status).toBe(404);
    expect((await api.call(KEYS.manager.cisa, 'GET', `/v1/incidents/${ids.green}/stix`)).status).toBe(200);
  });
});

it('the OpenAPI document describes the STIX and TAXII routes and stays valid', async () => {
  const doc = (await api.call(null, 'GET', '/openapi.json')).body;
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/incidents/{id}/stix', '/taxii2/', `${ROOT}/collections/{collectionId}/objects/`, `${ROOT}/status/{statusId}/`]));
  const objects = doc.paths[`${ROOT}/collections/{collectionId}/objects/`];
  expect(objects.get.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name).sort())
    .toEqual(['added_after', 'limit', 'match[id]', 'match[spec_version]', 'match[type]', 'match[version]', 'next']);
  const SwaggerParser = (await import('@apidevtools/swagger-parser')).default;
  await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
});

describe('M1: TAXII posts never widen TLP', () => {
  const COLLECTION = '/taxii2/concord/collections/79ebe5b3-398a-562e-92b3-055424a22702/objects/';
  const TLP_RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';
  const post = (objects: unknown[]) => api.call(KEYS.partner.facebook, 'POST', COLLECTION, JSON.stringify({ objects }), { 'content-type': 'application/taxii+json;version=2.1' });

  it.each([
    ['granular markings', { granular_markings: [{ marking_ref: TLP_RED, selectors: ['name', 'description'] }] }, /granular_markings are not supported/],
    ['a marking Concord cannot interpret', { object_marking_refs: ['marking-definition--9a9a9a9a-1111-4111-8111-111111111111'] }, /cannot interpret/],
  ])('refuses an incident with %s, and stores nothing', async (_name, marking, reason) => {
    const title = `marked title ${Math.random().toString(36).slice(2)}`;
    const res = await post([{ type: 'incident', spec_version: '2.1', id: `incident--${crypto.randomUUID()}`, name: title, x_concord_participants: ['fbi'], ...marking }]);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ success_count: 0, failure_count: 1, failures: [{ message: expect.stringMatching(reason) }] });
    expect((await api.call(KEYS.manager.cisa, 'GET', '/v1/incidents?limit=100')).text).not.toContain(title);
    expect((await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).text).not.toContain(title);
  });
});


describe('second round of the red team', () => {
  it('MEDIUM-3: neither are STIX exports and TAXII answers, which carry the same incidents', async () => {
    const { body: red } = await api.call(KEYS.partner.fbi, 'POST', '/v1/incidents', report({ title: 'RED kept out of caches', tlp: 'RED' }));
    const taxii = { authorization: `Bearer ${KEYS.partner.fbi}`, accept: 'application/taxii+json;version=2.1' };
    const { collections } = await (await fetch(`${api.url}/taxii2/concord/collections/`, { headers: taxii })).json();
    const answers = await Promise.all([
      fetch(`${api.url}/v1/incidents/${red.id}/stix`, { headers: { authorization: `Bearer ${KEYS.partner.fbi}` } }),
      fetch(`${api.url}/taxii2/`, { headers: taxii }),
      fetch(`${api.url}/taxii2/concord/collections/${collections[0].id}/objects/`, { headers: taxii }),
      fetch(`${api.url}/taxii2/concord/collections/${collections[0].id}/manifest/`, { headers: taxii }),
      fetch(`${api.url}/taxii2/concord/collections/nope/objects/`, { headers: taxii }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 404]);
    for (const answer of answers) {
      expect([answer.url, answer.headers.get('cache-control'), answer.headers.get('x-content-type-options')])
        .toEqual([answer.url, 'no-store', 'nosniff']);
    }
  });

});
