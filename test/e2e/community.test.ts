/**
 * #23 community visibility: TLP 2.0 lets GREEN and CLEAR be shared within the community, so every
 * organization of the directory reads them (get, timeline, STIX, TAXII, `GET /v1/incidents?scope=community`);
 * only participants act on them (an outsider's command is 403: it may see the incident, so 404 would
 * pretend it does not exist). AMBER, AMBER+STRICT and RED stay with their participants (and, for
 * AMBER, managers): never in the community list, never to an outsider.
 */
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { incidentStixId } from '../../lambdas/integrations/stix';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';

const TAXII = 'application/taxii+json;version=2.1';
const COLL = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}`;
const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`u:${key}`).toString('base64')}` });

let api: TestApi;
const ids: Record<string, string> = {};
const outsider = KEYS.partner.google;
const idsOf = (body: { items: Array<{ id: string }> }) => body.items.map((i) => i.id);

beforeAll(async () => {
  api = await startTestApi();
  const fb = KEYS.partner.facebook;
  for (const tlp of ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const) {
    const res = await api.call(fb, 'POST', '/v1/incidents', report({ tlp, participants: ['fbi'], title: `Community test ${tlp}` }));
    expect(res.status).toBe(201);
    ids[tlp] = res.body.id;
  }
  await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${ids.GREEN}/notes`, { text: 'FBI sees the same accounts.' });
});
afterAll(() => api.stop());

describe('an organization outside a GREEN incident', () => {
  it('reads it: get, timeline and STIX export answer 200', async () => {
    const get = await api.call(outsider, 'GET', `/v1/incidents/${ids.GREEN}`);
    expect(get.status).toBe(200);
    expect(get.body).toMatchObject({ id: ids.GREEN, tlp: 'GREEN', participants: ['facebook', 'fbi'] });
    const timeline = await api.call(outsider, 'GET', `/v1/incidents/${ids.GREEN}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['reported', 'note']));
    const stix = await api.call(outsider, 'GET', `/v1/incidents/${ids.GREEN}/stix`);
    expect(stix.status).toBe(200);
    expect(stix.body.objects.some((o: { id: string }) => o.id === incidentStixId(ids.GREEN!))).toBe(true);
  });

  it('lists it under scope=community, not in its own list (the default scope)', async () => {
    const community = await api.call(outsider, 'GET', '/v1/incidents?scope=community&limit=100');
    expect(community.status).toBe(200);
    expect(idsOf(community.body)).toEqual([ids.GREEN, ids.CLEAR]);
    const own = await api.call(outsider, 'GET', '/v1/incidents?limit=100');
    expect(own.status).toBe(200);
    expect(idsOf(own.body)).toEqual([]);
    const explicitOwn = await api.call(outsider, 'GET', '/v1/incidents?scope=own&limit=100');
    expect(idsOf(explicitOwn.body)).toEqual([]);
  });

  it('finds it in TAXII (objects, the object, its versions, the manifest)', async () => {
    const stixId = incidentStixId(ids.GREEN!);
    const objects = await api.call(null, 'GET', `${COLL}/objects/?limit=100`, undefined, { accept: TAXII, ...basic(outsider) });
    expect(objects.status).toBe(200);
    const incidentIds = objects.body.objects.filter((o: { type: string }) => o.type === 'incident').map((o: { id: string }) => o.id).sort();
    expect(incidentIds).toEqual([incidentStixId(ids.CLEAR!), stixId].sort());
    expect(objects.body.objects.some((o: { type: string; content?: string }) => o.type === 'note' && o.content === 'FBI sees the same accounts.')).toBe(true);
    for (const path of [`${COLL}/objects/${stixId}/`, `${COLL}/objects/${stixId}/versions/`, `${COLL}/manifest/`]) {
      const res = await api.call(null, 'GET', path, undefined, { accept: TAXII, ...basic(outsider) });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });

  it.each([
    ['acknowledge', {}],
    ['assign', { orgId: 'fbi' }],
    ['resolve', { resolution: 'not ours to close' }],
    ['notes', { text: 'drive-by' }],
  ] as const)('cannot %s it: 403, and nothing changes', async (command, body) => {
    const res = await api.call(outsider, 'POST', `/v1/incidents/${ids.GREEN}/${command}`, body);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/participants/);
    const after = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${ids.GREEN}`);
    expect(after.body).toMatchObject({ version: 2, status: 'reported', acknowledgements: [] });
  });

  it('is not shown its audit trail (the participants\' own record): 403', async () => {
    expect((await api.call(outsider, 'GET', `/v1/incidents/${ids.GREEN}/audit`)).status).toBe(403);
  });
});

describe('AMBER, AMBER+STRICT and RED never reach the community', () => {
  it.each(['AMBER', 'AMBER+STRICT', 'RED'] as const)('%s: 404 to an outsider everywhere, absent from scope=community', async (tlp) => {
    const id = ids[tlp]!;
    for (const path of [`/v1/incidents/${id}`, `/v1/incidents/${id}/timeline`, `/v1/incidents/${id}/stix`]) {
      expect({ path, status: (await api.call(outsider, 'GET', path)).status }).toEqual({ path, status: 404 });
    }
    expect((await api.call(outsider, 'POST', `/v1/incidents/${id}/acknowledge`, {})).status).toBe(404);
    for (const key of [outsider, KEYS.partner.fbi, KEYS.manager.cisa, KEYS.manager.odni]) {
      const listed = await api.call(key, 'GET', '/v1/incidents?scope=community&limit=100');
      expect(listed.status).toBe(200);
      expect(idsOf(listed.body)).not.toContain(id);
      expect(listed.body.items.every((i: { tlp: string }) => i.tlp === 'GREEN' || i.tlp === 'CLEAR')).toBe(true);
    }
    const taxii = await api.call(null, 'GET', `${COLL}/objects/?limit=100`, undefined, { accept: TAXII, ...basic(outsider) });
    expect(taxii.text).not.toContain(`Community test ${tlp}"`);
  });
});

describe('GET /v1/incidents?scope=community', () => {
  it('is the same list for a participant, an outsider and a manager, newest first', async () => {
    const lists = await Promise.all([KEYS.partner.facebook, outsider, KEYS.manager.cisa].map((key) => api.call(key, 'GET', '/v1/incidents?scope=community')));
    for (const res of lists) expect(idsOf(res.body)).toEqual([ids.GREEN, ids.CLEAR]);
  });

  it('pages with the cursor, which is bound to the scope', async () => {
    const first = await api.call(outsider, 'GET', '/v1/incidents?scope=community&limit=1');
    expect(idsOf(first.body)).toEqual([ids.GREEN]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.call(outsider, 'GET', `/v1/incidents?scope=community&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.status).toBe(200);
    expect(idsOf(second.body)).toEqual([ids.CLEAR]);
    expect(second.body.nextCursor).toBeNull();
    // The community cursor does not continue the caller's own list.
    const elsewhere = await api.call(outsider, 'GET', `/v1/incidents?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(elsewhere.status).toBe(400);
  });

  it('takes the other filters', async () => {
    const withFbi = await api.call(outsider, 'GET', '/v1/incidents?scope=community&participant=fbi&status=reported');
    expect(idsOf(withFbi.body)).toEqual([ids.GREEN, ids.CLEAR]);
    const withTwitter = await api.call(outsider, 'GET', '/v1/incidents?scope=community&participant=twitter');
    expect(idsOf(withTwitter.body)).toEqual([]);
  });

  it('refuses an unknown scope with a 400 naming the field, for admins 403', async () => {
    const bad = await api.call(outsider, 'GET', '/v1/incidents?scope=everyone');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'scope' })]);
    expect((await api.call(KEYS.admin, 'GET', '/v1/incidents?scope=community')).status).toBe(403);
  });

  it('records no read of GREEN or CLEAR in the audit trail (only restricted reads are recorded)', async () => {
    await api.call(outsider, 'GET', `/v1/incidents/${ids.GREEN}`);
    await api.call(outsider, 'GET', '/v1/incidents?scope=community');
    const trail = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${ids.GREEN}/audit`);
    expect(trail.status).toBe(200);
    const reads = trail.body.items.filter((e: { action: string; outcome?: string; result?: string }) => ['read', 'list', 'timeline', 'export', 'taxii'].includes(e.action) && (e.outcome ?? e.result) !== 'denied');
    expect(reads).toEqual([]);
  });
});

describe('a TLP change moves the incident in and out of the community (#23 with PATCH)', () => {
  it('GREEN → AMBER hides it from the community at once; AMBER → CLEAR shows it again', async () => {
    const fb = KEYS.partner.facebook;
    const { body: created } = await api.call(fb, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], title: 'Relabelled' }));
    const inCommunity = async () => idsOf((await api.call(outsider, 'GET', '/v1/incidents?scope=community&limit=100')).body).includes(created.id);
    const inTaxii = async () => (await api.call(null, 'GET', `${COLL}/objects/?limit=100`, undefined, { accept: TAXII, ...basic(outsider) })).body.objects
      .some((o: { id: string }) => o.id === incidentStixId(created.id));
    expect([await inCommunity(), await inTaxii(), (await api.call(outsider, 'GET', `/v1/incidents/${created.id}`)).status]).toEqual([true, true, 200]);

    expect((await api.call(fb, 'PATCH', `/v1/incidents/${created.id}`, { tlp: 'AMBER' })).status).toBe(200);
    expect([await inCommunity(), await inTaxii(), (await api.call(outsider, 'GET', `/v1/incidents/${created.id}`)).status]).toEqual([false, false, 404]);
    expect((await api.call(outsider, 'POST', `/v1/incidents/${created.id}/acknowledge`, {})).status).toBe(404);

    expect((await api.call(fb, 'PATCH', `/v1/incidents/${created.id}`, { tlp: 'CLEAR' })).status).toBe(200);
    expect([await inCommunity(), await inTaxii(), (await api.call(outsider, 'GET', `/v1/incidents/${created.id}`)).status]).toEqual([true, true, 200]);
    const listed = (await api.call(outsider, 'GET', '/v1/incidents?scope=community&limit=100')).body.items.find((i: { id: string }) => i.id === created.id);
    expect(listed).toMatchObject({ tlp: 'CLEAR', version: 3 });
    expect((await api.call(outsider, 'PATCH', `/v1/incidents/${created.id}`, { title: 'Not mine to edit' })).status).toBe(403);
  });

  it('an outside organization adds itself to a GREEN incident, and from then on acts on it', async () => {
    const { body: created } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], title: 'Joinable' }));
    expect((await api.call(outsider, 'POST', `/v1/incidents/${created.id}/acknowledge`, {})).status).toBe(403);
    expect((await api.call(outsider, 'POST', `/v1/incidents/${created.id}/participants`, { orgIds: ['google'] })).status).toBe(200);
    const acked = await api.call(outsider, 'POST', `/v1/incidents/${created.id}/acknowledge`, {});
    expect(acked.status).toBe(200);
    expect(acked.body.acknowledgements.map((a: { orgId: string }) => a.orgId)).toEqual(['google']);
    expect(idsOf((await api.call(outsider, 'GET', '/v1/incidents?limit=100')).body)).toContain(created.id);
  });
});
