/** The incident endpoints through the local server over HTTP, as a partner system uses them. */
import { hashKey, keyIdOf as keyIdFromKey } from '../../lambdas/domain/api-keys';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

const fb = KEYS.partner.facebook;
const fbi = KEYS.partner.fbi;
const cisa = KEYS.partner.cisa;

describe('report', () => {
  it('creates an incident with the reporter as first participant, 201 and a location', async () => {
    const res = await api.call(fb, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa', 'fbi'], source: 'tsp', links: [{ href: 'https://example.org/a', text: 'post' }], details: { posts: 42 } }));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/incidents/${res.body.id}`);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^inc_[0-9A-HJKMNP-TV-Z]{26}$/),
      status: 'reported', tlp: 'AMBER', version: 1,
      reporter: { orgId: 'facebook', source: 'tsp' },
      participants: ['facebook', 'fbi', 'cisa'],
      acknowledgements: [], assignee: null, acknowledgedAt: null, resolution: null,
      links: [{ href: 'https://example.org/a', text: 'post' }], details: { posts: 42 },
    });
    expect(res.body.reportedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('returns the open incident with 200 for the same dedupKey, and a new one after resolve', async () => {
    const first = await api.call(fb, 'POST', '/v1/incidents', report({ dedupKey: 'fb-tsp-1' }));
    const again = await api.call(fb, 'POST', '/v1/incidents', report({ dedupKey: 'fb-tsp-1', title: 'different' }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    // Another organization's same key is its own incident.
    const other = await api.call(fbi, 'POST', '/v1/incidents', report({ dedupKey: 'fb-tsp-1' }));
    expect(other.status).toBe(201);
    await api.call(fb, 'POST', `/v1/incidents/${first.body.id}/resolve`, { resolution: 'taken down' });
    const after = await api.call(fb, 'POST', '/v1/incidents', report({ dedupKey: 'fb-tsp-1' }));
    expect(after.status).toBe(201);
    expect(after.body.id).not.toBe(first.body.id);
  });

  it('rejects unknown participants with one error naming none', async () => {
    const res = await api.call(fb, 'POST', '/v1/incidents', report({ participants: ['fbi', 'nope', 'also-nope'] }));
    expect(res.status).toBe(400);
    // One error that names no id: a partner may not learn which organizations exist (issue #10).
    expect(res.body.errors).toEqual([{ path: 'participants', message: expect.stringContaining('not in the directory') }]);
  });
});

describe('lifecycle', () => {
  it('goes report → acknowledge → assign → resolve, with the timeline of every step', async () => {
    const { body: created } = await api.call(fb, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa'] }));
    const path = `/v1/incidents/${created.id}`;

    const ack = await api.call(fbi, 'POST', `${path}/acknowledge`, { by: 'duty officer', note: 'on it' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', version: 2, acknowledgements: [{ orgId: 'fbi', by: 'duty officer', via: 'api' }] });
    expect(ack.body.acknowledgedAt).toBe(ack.body.acknowledgements[0].at);

    const again = await api.call(fbi, 'POST', `${path}/acknowledge`);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);

    const assigned = await api.call(cisa, 'POST', `${path}/assign`, { orgId: 'cisa', responder: 'EI-ISAC watch desk' });
    expect(assigned.body).toMatchObject({ status: 'assigned', version: 3, assignee: { orgId: 'cisa', responder: 'EI-ISAC watch desk' } });

    const lateAck = await api.call(cisa, 'POST', `${path}/acknowledge`, {});
    expect(lateAck.body).toMatchObject({ status: 'assigned', version: 4 });
    expect(lateAck.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);

    const note = await api.call(fb, 'POST', `${path}/notes`, { text: 'accounts suspended' });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ seq: 5, type: 'note', actor: { orgId: 'facebook', via: 'api' }, data: { text: 'accounts suspended' } });

    const resolved = await api.call(fb, 'POST', `${path}/resolve`, { resolution: 'network removed' });
    expect(resolved.body).toMatchObject({ status: 'resolved', version: 6, resolution: 'network removed' });

    const twice = await api.call(fb, 'POST', `${path}/resolve`, { resolution: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.headers.get('content-type')).toBe('application/problem+json');
    expect(twice.body).toMatchObject({ status: 409, currentStatus: 'resolved' });
    expect((await api.call(fbi, 'POST', `${path}/acknowledge`)).status).toBe(409);
    expect((await api.call(fbi, 'POST', `${path}/assign`, { orgId: 'fbi' })).status).toBe(409);

    const timeline = await api.call(fbi, 'GET', `${path}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.events.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([
      [1, 'reported'], [2, 'acknowledged'], [3, 'assigned'], [4, 'acknowledged'], [5, 'note'], [6, 'resolved'],
    ]);
    expect((await api.call(fbi, 'GET', path)).body).toEqual(resolved.body);
  });

  it('refuses an assignee outside the participants with 400', async () => {
    const { body } = await api.call(fb, 'POST', '/v1/incidents', report());
    const res = await api.call(fb, 'POST', `/v1/incidents/${body.id}/assign`, { orgId: 'google' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('orgId');
    expect((await api.call(fb, 'GET', `/v1/incidents/${body.id}`)).body.version).toBe(1);
  });
});

describe('timeline paging', () => {
  type Page = { events: Array<{ seq: number }>; nextCursor: string | null };
  let id: string;
  const EVENTS = 205;
  beforeAll(async () => {
    ({ body: { id } } = await api.call(fb, 'POST', '/v1/incidents', report({ participants: ['fbi'] })));
    for (let i = 2; i <= EVENTS; i++) {
      const res = await api.call(i % 2 ? fb : fbi, 'POST', `/v1/incidents/${id}/notes`, { text: `note ${i}` });
      expect(res.status).toBe(201);
    }
  }, 120_000);

  async function walk(key: string, limit?: number) {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const params = [limit ? `limit=${limit}` : '', cursor ? `cursor=${cursor}` : ''].filter(Boolean).join('&');
      const res: { status: number; body: Page } = await api.call(key, 'GET', `/v1/incidents/${id}/timeline${params ? `?${params}` : ''}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['events', 'nextCursor']);
      pages.push(res.body);
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 100);
    return pages;
  }
  const all = Array.from({ length: EVENTS }, (_, i) => i + 1);

  it('pages 100 events at a time by default, oldest first, every event exactly once, null cursor on the last page', async () => {
    const pages = await walk(fb);
    expect(pages.map((p) => p.events.length)).toEqual([100, 100, 5]);
    expect(pages.flatMap((p) => p.events.map((e) => e.seq))).toEqual(all);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages.slice(0, -1).every((p) => typeof p.nextCursor === 'string' && p.nextCursor.length <= 512)).toBe(true);
  });

  it('takes limit 1–100; a limit that divides the timeline ends on a full page with a null cursor', async () => {
    const bySeven = await walk(fbi, 7);
    expect(bySeven.flatMap((p) => p.events.map((e) => e.seq))).toEqual(all);
    expect(bySeven.slice(0, -1).every((p) => p.events.length === 7)).toBe(true);
    const byFive = await walk(fbi, 5);
    expect(byFive).toHaveLength(41);
    expect(byFive.at(-1)!.events.map((e) => e.seq)).toEqual([201, 202, 203, 204, 205]);
    expect(byFive.at(-1)!.nextCursor).toBeNull();
    expect((await api.call(fb, 'GET', `/v1/incidents/${id}/timeline?limit=1`)).body.events.map((e: { seq: number }) => e.seq)).toEqual([1]);
    for (const bad of ['0', '101', '-1', '2.5', 'ten', '']) {
      const res = await api.call(fb, 'GET', `/v1/incidents/${id}/timeline?limit=${bad}`);
      expect({ bad, status: res.status, paths: res.body.errors?.map((e: { path: string }) => e.path) }).toEqual({ bad, status: 400, paths: ['limit'] });
    }
    const unknown = await api.call(fb, 'GET', `/v1/incidents/${id}/timeline?after=3`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'after', message: 'unknown field' }]);
  });

  it('refuses altered cursors, and cursors of another incident or another caller, with 400 naming cursor', async () => {
    const first = await api.call(fb, 'GET', `/v1/incidents/${id}/timeline?limit=3`);
    const cursor: string = first.body.nextCursor;
    const { body: other } = await api.call(fb, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
    const cases: Array<[string, string, RegExp]> = [
      [fb, `/v1/incidents/${id}/timeline?cursor=${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`, /not valid/],
      [fb, `/v1/incidents/${id}/timeline?cursor=nonsense`, /not valid/],
      [fb, `/v1/incidents/${id}/timeline?cursor=${(await api.call(fb, 'GET', '/v1/incidents?limit=1')).body.nextCursor}`, /another listing/],
      [fb, `/v1/incidents/${other.id}/timeline?cursor=${cursor}`, /another listing/],
      [fbi, `/v1/incidents/${id}/timeline?cursor=${cursor}`, /another listing/],
    ];
    for (const [key, path, detail] of cases) {
      const res = await api.call(key, 'GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.errors).toEqual([{ path: 'cursor', message: expect.any(String) }]);
      expect(res.body.detail).toMatch(detail);
    }
    const next = await api.call(fb, 'GET', `/v1/incidents/${id}/timeline?limit=3&cursor=${cursor}`);
    expect(next.body.events.map((e: { seq: number }) => e.seq)).toEqual([4, 5, 6]);
  });

  it('documents limit and cursor in the OpenAPI document', async () => {
    const doc = (await api.call(null, 'GET', '/openapi.json')).body;
    const get = doc.paths['/v1/incidents/{id}/timeline'].get;
    expect(get.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'limit']);
  });
});

describe('list', () => {
  it('pages newest first with a cursor, filters, and refuses a tampered cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await api.call(KEYS.partner.twitter, 'POST', '/v1/incidents', report({ severity: i % 2 ? 'low' : 'high', participants: ['google'] }));
      ids.push(body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.call(KEYS.partner.twitter, 'GET', `/v1/incidents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const low = await api.call(KEYS.partner.google, 'GET', '/v1/incidents?severity=low&status=reported');
    expect(low.body.items.map((i: { id: string }) => i.id)).toEqual([ids[3], ids[1]]);
    expect(low.body.nextCursor).toBeNull();

    const first = await api.call(KEYS.partner.twitter, 'GET', '/v1/incidents?limit=1');
    const tampered = first.body.nextCursor.slice(0, -2) + (first.body.nextCursor.endsWith('AA') ? 'BB' : 'AA');
    const bad = await api.call(KEYS.partner.twitter, 'GET', `/v1/incidents?cursor=${tampered}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('cursor');
  });

  // Review #20 reverses fc9a711: a cursor is bound to its caller and its filters, so carrying it
  // into another listing is a 400 naming `cursor`, not an answer from the wrong position.
  it('refuses a cursor carried into another filter\'s listing, or presented by another caller', async () => {
    for (let i = 0; i < 2; i++) await api.call(KEYS.partner.fbi, 'POST', '/v1/incidents', report({ participants: ['google'] }));
    const first = await api.call(KEYS.manager.cisa, 'GET', '/v1/incidents?limit=1');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const foreign = async (key: string, query: string) => {
      const res = await api.call(key, 'GET', `/v1/incidents?${query}cursor=${first.body.nextCursor}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.errors).toEqual([{ path: 'cursor', message: expect.any(String) }]);
      expect(res.body.detail).toMatch(/belongs to another listing/);
    };
    for (const query of ['participant=google&', 'participant=odni&status=resolved&', 'severity=low&', 'status=reported&']) await foreign(KEYS.manager.cisa, query);
    // Another caller: another organization's manager, the same organization's partner key.
    await foreign(KEYS.manager.odni, '');
    await foreign(KEYS.partner.cisa, '');
    // The same caller and filters go on (a different page size is fine).
    const next = await api.call(KEYS.manager.cisa, 'GET', `/v1/incidents?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.items.every((i: { id: string }) => i.id < first.body.items[0].id)).toBe(true);
    // A filtered listing's cursor works in that listing only.
    const low = await api.call(KEYS.partner.fbi, 'GET', '/v1/incidents?severity=critical&participant=google&limit=1');
    expect(low.body.nextCursor).toEqual(expect.any(String));
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents?severity=critical&participant=google&cursor=${low.body.nextCursor}`)).status).toBe(200);
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents?participant=google&severity=critical&cursor=${low.body.nextCursor}`)).status).toBe(200);
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents?severity=critical&cursor=${low.body.nextCursor}`)).status).toBe(400);
  });

  it('lists every invalid query parameter', async () => {
    const res = await api.call(fb, 'GET', '/v1/incidents?limit=500&status=open&colour=red');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['colour', 'limit', 'status']);
  });
});

describe('conventions', () => {
  it('answers bad bodies with problem documents listing every invalid field', async () => {
    const res = await api.call(fb, 'POST', '/v1/incidents', { title: '', severity: 'urgent', colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, detail: expect.any(String) });
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['category', 'colour', 'severity', 'title']);
  });

  it.each([
    ['malformed JSON', '{"title": ', { 'content-type': 'application/json' }, 400],
    ['a JSON array', '[1,2]', { 'content-type': 'application/json' }, 400],
    ['text/plain', 'hello', { 'content-type': 'text/plain' }, 415],
    ['no content type', '{"title":"x"}', { 'content-type': '' }, 415],
    ['over 64 KiB', JSON.stringify(report({ description: 'x'.repeat(70_000) })), { 'content-type': 'application/json' }, 413],
    ['deeply nested', JSON.stringify(report({ details: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) })), { 'content-type': 'application/json' }, 400],
    ['a lone surrogate', '{"title":"\\ud800","severity":"low","category":"other"}', { 'content-type': 'application/json' }, 400],
  ])('refuses %s and changes nothing', async (_name, body, headers, status) => {
    const before = await api.call(fb, 'GET', '/v1/incidents?limit=100');
    const res = await api.call(fb, 'POST', '/v1/incidents', body, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.status).toBe(status);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    expect((await api.call(fb, 'GET', '/v1/incidents?limit=100')).body.items).toEqual(before.body.items);
  });

  it('answers unknown paths 404 and wrong methods 405, with x-request-id', async () => {
    const missing = await api.call(fb, 'GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBeTruthy();
    const wrong = await api.call(fb, 'DELETE', '/v1/incidents');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('GET');
  });

  it('treats malformed and absent incident ids alike: 404', async () => {
    for (const id of ['nope', 'inc_01M899CQ51KBW81DJ4QTE6713E', `inc_${'Z'.repeat(3000)}`, '%E0%A4%A']) {
      expect((await api.call(fb, 'GET', `/v1/incidents/${id}`)).status).toBe(404);
    }
  });

  it('serves health and an OpenAPI 3.1 document with every public route', async () => {
    expect((await api.call(null, 'GET', '/health')).body).toEqual({ status: 'ok' });
    const doc = (await api.call(null, 'GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/incidents', '/v1/incidents/{id}/acknowledge', '/v1/keys/{keyId}']));
    expect(doc.paths['/v1/incidents'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ReportIncident' });
    expect(doc.components.schemas.ReportIncident.required).toEqual(expect.arrayContaining(['title', 'severity', 'category']));
    expect(doc.components.schemas.ReportIncident.additionalProperties).toBe(false);
    // A valid OpenAPI document, every $ref resolving.
    const SwaggerParser = (await import('@apidevtools/swagger-parser')).default;
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('states each text field\'s rules in the document (length, `pattern`, `x-visible`) exactly as the API enforces them, so the app reads them instead of copying', async () => {
    const doc = (await api.call(null, 'GET', '/openapi.json')).body;
    type Text = { minLength: number; maxLength: number; pattern: string; 'x-visible': string };
    const takes = (rule: Text, v: string) => v.length >= rule.minLength && v.length <= rule.maxLength
      && new RegExp(rule.pattern, 'u').test(v) && (v.length === 0 || new RegExp(rule['x-visible'], 'u').test(v));
    const samples = ['A title', ' padded ', '   ', '\u200b\u200d', '\u3164', 'é', 'two\nlines', 'tab\there', 'bell\u0007', 'line\u2028sep', 'del\u007f', 'c1\u0085', 'Invoice \u202efdp.exe', 'x'.repeat(200), 'x'.repeat(201)];
    const title: Text = doc.components.schemas.ReportIncident.properties.title;
    for (const v of samples) {
      const res = await api.call(fb, 'POST', '/v1/incidents', report({ title: v }));
      expect({ v, accepted: res.status === 201 }).toEqual({ v, accepted: takes(title, v) });
    }
    const { body: incident } = await api.call(fb, 'POST', '/v1/incidents', report({ title: 'Notes against the document' }));
    const note: Text = doc.components.schemas.Note.properties.text;
    for (const v of [...samples, 'x'.repeat(5000), 'x'.repeat(5001), 'para\r\nbreak', '']) {
      const res = await api.call(fb, 'POST', `/v1/incidents/${incident.id}/notes`, { text: v });
      expect({ v: v.slice(0, 40), accepted: res.status === 201 }).toEqual({ v: v.slice(0, 40), accepted: takes(note, v) });
    }
  });
});

describe('metrics', () => {
  it('count what happened this hour the moment the commands return', async () => {
    // A window that opens now holds this test's incident alone. (A window over the day would also
    // hold earlier tests' incidents, and those of the minute before move from the live read to the
    // buckets 10 s into a minute: with the aggregator further behind than that, as on a saturated
    // machine, they drop out until folded — docs/metrics.md, "The live minute".)
    const from = new Date(Date.now() - 1).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const { body } = await api.call(KEYS.partner.twitter, 'POST', '/v1/incidents', report({ participants: ['google'] }));
    await api.call(KEYS.partner.google, 'POST', `/v1/incidents/${body.id}/acknowledge`, {});
    await api.call(KEYS.partner.twitter, 'POST', `/v1/incidents/${body.id}/resolve`, { resolution: 'done' });
    const after = (await api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${from}&to=${to}&groupBy=org`)).body;
    expect(after.incidents).toMatchObject({ reported: 1, acknowledged: 1, resolved: 1 });
    const google = after.groups.find((g: { key: string }) => g.key === 'google');
    expect(google.timeToAcknowledge.count).toBeGreaterThanOrEqual(1);
  });
});

// ---- Findings of the security reviews (issue #10 and the red team's rounds), each as reproduced ----

const newIncident = async (overrides: Record<string, unknown> = {}) =>
  (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa'], ...overrides }))).body;

describe('#7 an admin manages organizations, not other organizations\' keys', () => {
  it('records the key id of every API actor in the timeline', async () => {
    const incident = await newIncident();
    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/acknowledge`, {});
    await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${incident.id}/assign`, { orgId: 'cisa' });
    await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${incident.id}/notes`, { text: 'n' });
    await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'r' });
    const keyIdOf = async (org: 'facebook' | 'fbi' | 'cisa') => keyIdFromKey(hashKey(KEYS.partner[org]));
    const { events } = (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}/timeline`)).body;
    const actors = events.filter((e: { actor: { orgId: string } }) => e.actor.orgId !== 'concord').map((e: { type: string; actor: unknown }) => [e.type, e.actor]);
    expect(actors).toEqual([
      ['reported', { orgId: 'facebook', by: null, via: 'api', keyId: await keyIdOf('facebook') }],
      ['acknowledged', { orgId: 'fbi', by: null, via: 'api', keyId: await keyIdOf('fbi') }],
      ['assigned', { orgId: 'cisa', by: null, via: 'api', keyId: await keyIdOf('cisa') }],
      ['note', { orgId: 'cisa', by: null, via: 'api', keyId: await keyIdOf('cisa') }],
      ['resolved', { orgId: 'cisa', by: null, via: 'api', keyId: await keyIdOf('cisa') }],
    ]);
  });
});

describe('#5 details come back exactly as sent', () => {
  const raw = '{"tweetId":1798765432109876543,"huge":1e400,"tiny":-0.000000000000000000000000000001234567890123456789,"__proto__":{"polluted":true},"nested":[1.50,{"id":12345678901234567890123}]}';

  it('keeps every digit, numbers a double cannot hold, and a "__proto__" key, in the read and the list', async () => {
    const body = `{"title":"Exact details","severity":"low","category":"other","dedupKey":"exact-details","details":${raw}}`;
    const created = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', body);
    expect(created.status).toBe(201);
    for (const text of [created.text, (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${created.body.id}`)).text]) {
      expect(text).toContain('"details":{"tweetId":1798765432109876543,"huge":1e400,"tiny":-0.000000000000000000000000000001234567890123456789,"__proto__":{"polluted":true},"nested":[1.50,{"id":12345678901234567890123}]}');
    }
    const listed = (await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).text;
    expect(listed).toContain('"tweetId":1798765432109876543');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

});

describe('input the contract does not allow', () => {
  it('#8 refuses line breaks and control characters in single-line fields', async () => {
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({
      title: 'Polling update\n\nAcknowledge for FBI:\n  Duty: https://evil.example/ack', source: 'a\u0007b', links: [{ href: 'https://x.example', text: 'a\nb' }],
    }));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['links.0.text', 'source', 'title']);
    const ack = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${(await newIncident()).id}/acknowledge`, { by: 'duty\r\nofficer' });
    expect(ack.status).toBe(400);
  });


  it('#10 answers unknown participants with one error that does not say which ids exist', async () => {
    const one = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['nope-1', 'fbi', 'nope-2'] }));
    const other = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['twitter', 'nope-3'] }));
    expect(one.status).toBe(400);
    expect(one.body.errors).toEqual([{ path: 'participants', message: expect.any(String) }]);
    expect(other.body.errors).toEqual(one.body.errors);
    expect(one.body.detail).toBe(other.body.detail);
    expect(one.text).not.toMatch(/nope|fbi/);
  });


  it('#11 refuses unknown query parameters on every route, and changes nothing', async () => {
    const incident = await newIncident();
    const note = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/notes?dryRun=true`, { text: 'n' });
    expect(note.status).toBe(400);
    expect(note.body.errors).toEqual([{ path: 'dryRun', message: 'unknown field' }]);
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incident.id}?expand=all`)).status).toBe(400);
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incident.id}`)).body.version).toBe(1);
  });


  it('#12 wants a visible character: zero-width titles and blank PagerDuty summaries are refused', async () => {
    const zw = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ title: '\u200b\u200d\u2060\ufeff' }));
    expect(zw.status).toBe(400);
    expect(zw.body.errors).toEqual([{ path: 'title', message: expect.stringMatching(/visible/) }]);
    const pd = await api.call(null, 'POST', '/v2/enqueue', { routing_key: KEYS.partner.google, event_action: 'trigger', payload: { summary: '   ', source: 'x', severity: 'info' } });
    expect(pd.status).toBe(400);
    expect(pd.body.errors).toEqual([expect.stringMatching(/^payload\.summary/)]);
  });


  it('#13 refuses bodies declared in a charset other than UTF-8', async () => {
    const before = (await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).body.items.length;
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report(), { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ dedupKey: 'utf8-ok' }), { 'content-type': 'application/json; charset="UTF-8"' })).status).toBe(201);
    expect((await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100')).body.items.length).toBe(before + 1);
  });

});

describe('what a red team found in the hardened build', () => {
  it('answers query parameters named like Object.prototype members as unknown parameters, not a 500', async () => {
    for (const path of ['/health?__proto__=1', '/v1/incidents?constructor=x', '/v1/incidents?hasOwnProperty=1&toString=2']) {
      const res = await api.call(KEYS.partner.fbi, 'GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
    const pd = await api.call(null, 'POST', '/v2/enqueue?__proto__=1', { routing_key: KEYS.partner.google, event_action: 'resolve', dedup_key: 'x' });
    expect(pd.status).toBe(400);
    expect(pd.body).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: ['query.__proto__: unknown parameter'] });
  });


  it('refuses bodies that are not valid UTF-8 (415) instead of replacing bytes', async () => {
    for (const bytes of [Buffer.from('{"title":"a \xff\xfe b","severity":"low","category":"other"}', 'latin1'), Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])]) {
      const res = await fetch(`${api.url}/v1/incidents`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.partner.google}`, 'content-type': 'application/json' }, body: bytes });
      expect(res.status).toBe(415);
    }
  });


  it('wants a visible character: unassigned, private-use and noncharacter code points do not count', async () => {
    for (const title of ['\u0378', '\uFFFE\uFFFF', '\uE000', '\u{10FFFF}']) {
      const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ title }));
      expect({ title, status: res.status }).toEqual({ title, status: 400 });
    }
  });


  it('keeps details\' key order (integer-like keys included), refuses a key sent twice, and keeps PagerDuty custom_details exactly', async () => {
    const ordered = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', '{"title":"order","severity":"low","category":"other","details":{"1":1,"0":0,"b":1,"a":{"4294967295":1,"4294967294":2}}}');
    expect(ordered.status).toBe(201);
    expect(ordered.text).toContain('"details":{"1":1,"0":0,"b":1,"a":{"4294967295":1,"4294967294":2}}');
    expect((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${ordered.body.id}`)).text).toContain('"details":{"1":1,"0":0,"b":1,"a":{"4294967295":1,"4294967294":2}}');
    const twice = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', '{"title":"dup","severity":"low","category":"other","details":{"a":1,"b":2,"a":3}}');
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ path: 'details.a', message: 'duplicate key' }]);

    const pd = (custom: string, dedup: string) => api.call(null, 'POST', '/v2/enqueue', `{"routing_key":"${KEYS.partner.google}","event_action":"trigger","dedup_key":"${dedup}","client":"grafana","payload":{"summary":"s","source":"x","severity":"info","custom_details":${custom}}}`);
    expect((await pd('12345678901234567890', 'pd-number')).status).toBe(202);
    expect((await pd('{"pagerduty":"mine","x":1}', 'pd-own-key')).status).toBe(202);
    const listed = (await api.call(KEYS.partner.google, 'GET', '/v1/incidents?limit=100')).text;
    expect(listed).toContain('"details":{"custom_details":12345678901234567890,"pagerduty":{"client":"grafana"}}');
    expect(listed).toContain('"details":{"pagerduty":"mine","x":1,"concord_pagerduty":{"client":"grafana"}}');
  });
});

describe('second round of the red team', () => {
  it('MEDIUM-3: answers are never stored by a browser cache', async () => {
    const res = await fetch(`${api.url}/v1/incidents`, { headers: { authorization: `Bearer ${KEYS.partner.fbi}` } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });


  it('MEDIUM-4: the local server answers only to loopback names (no DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((done, fail) => {
      const req = request(`${api.url}/local/outbox`, { headers: { host: 'attacker.example:80' } }, (res) => { res.resume(); done(res.statusCode!); });
      req.on('error', fail);
      req.end();
    });
    expect(status).toBe(421);
    expect((await fetch(`${api.url}/local/outbox`)).status).toBe(200);
  });
});
