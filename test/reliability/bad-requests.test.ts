/**
 * At least 1,000 generated bad requests through the local server, on every kind of route
 * (incidents, coordination, correlation, on call, organizations, chat, integrations) — wrong types, missing and
 * unknown fields, huge and deep JSON, odd Unicode, bad cursors, wrong content types, forged tokens,
 * bad keys — and not one 5xx; afterwards the table is unchanged, item by item.
 */
import fc from 'fast-check';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';
import { newAuditEntries, tableSnapshot } from '../support/table-snapshot';

let api: TestApi;
let incidentId: string;
let cursor: string;
const seen = new Map<number, number>();
/** The statuses the coordination, correlation and on-call routes answered. */
const seenThere = new Set<number>();
const THERE = /\/(participants|reopen|updates|links|observables|related|schedules|escalation)\b|^\/v1\/incidents\/inc_\w+$/;


beforeAll(async () => {
  api = await startTestApi();
  incidentId = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }))).body.id;
  await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report());
  cursor = (await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=1')).body.nextCursor;
});
afterAll(() => api.stop());

const weird = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'e\u0301', '\uFEFF', '%00', '../../etc/passwd', '<script>', "'; DROP TABLE"),
  fc.string({ minLength: 10_000, maxLength: 70_000 }).map((s) => s.padEnd(66_000, 'x')),
);
/** Percent-encodes what a URL can carry; lone surrogates cannot travel in a URL at all. */
const enc = (s: string) => encodeURIComponent(s.toWellFormed());

const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 3 }), weird, fc.constant(null), fc.integer(), fc.boolean());
const deep = fc.integer({ min: 33, max: 2000 }).map((n) => '['.repeat(n) + ']'.repeat(n));

/** A valid body for each command, so mutations stay close to what a client would send. */
const VALID: Record<string, Record<string, unknown>> = {
  '/v1/incidents': report(),
  acknowledge: { by: 'x' },
  assign: { orgId: 'fbi' },
  resolve: { resolution: 'x' },
  notes: { text: 'x' },
  '/v1/organizations/x': { name: 'x', kind: 'agency', contacts: [] },
  keys: { role: 'partner' },
  chat: { channels: [{ kind: 'slack', channel: 'C0123ABCD', team: 'T0123ABCD' }] },
  // Coordination, correlation and on call.
  participants: { orgIds: ['cisa'] },
  edit: { severity: 'high' },
  reopen: { reason: 'x' },
  updates: { summary: 'x' },
  links: { incidentId: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF', relation: 'related' },
  observables: { observables: [{ type: 'domain', value: 'polls.example' }] },
  schedule: { name: 'x', timeZone: 'America/New_York', layers: [{ start: '2026-11-02T09:00:00.000Z', rotation: 'weekly', members: ['duty'] }] },
  overrides: { from: '2026-11-02T09:00:00.000Z', to: '2026-11-02T10:00:00.000Z' },
  escalation: { levels: [{ afterMinutes: 0, targets: [{ schedule: 'x' }] }] },
};

/** Something certainly invalid about the body, so no request can change anything. */
const invalidBody = (valid: Record<string, unknown>) => fc.oneof(
  fc.tuple(fc.constantFrom(...Object.keys(valid)), jsonish).map(([k, v]) => JSON.stringify({ ...valid, [k]: v, __unknown: v })),
  fc.constantFrom(...Object.keys(valid)).map((k) => { const b = { ...valid }; delete b[k]; return JSON.stringify({ ...b, typo: true }); }),
  fc.string({ maxLength: 200 }).map((s) => `{"broken": ${s}`),
  deep,
  jsonish.map((v) => JSON.stringify(v)).filter((s) => s !== undefined && !s.startsWith('{')),
  weird.map((w) => JSON.stringify({ ...valid, [w]: 1 })),
);

const keys = fc.constantFrom<string | null>(null, 'nope', 'Bearer', `${KEYS.partner.fbi}x`, 'a'.repeat(600), KEYS.partner.fbi, KEYS.partner.google, KEYS.manager.cisa, KEYS.admin);
const contentTypes = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', '', 'application/json; charset=latin1', 'multipart/form-data; boundary=x');

type Req = { method: string; path: string; key: string | null; body?: string; contentType?: string; headers?: Record<string, string> };

/** Slack's headers, wrong in every way but the right one: no request is signed with the organization's secret. */
const slackHeaders = fc.record({
  'x-slack-request-timestamp': fc.oneof(fc.constant(String(Math.floor(Date.now() / 1000))), weird.map(enc), fc.constant('')),
  'x-slack-signature': fc.oneof(fc.constant(`v0=${'0'.repeat(64)}`), weird.map(enc), fc.constant('')),
}, { requiredKeys: [] });

const commands = fc.constantFrom('acknowledge', 'assign', 'resolve', 'notes').chain((c) =>
  fc.record({ method: fc.constant('POST'), path: fc.constantFrom(`/v1/incidents/${'$ID'}/${c}`, `/v1/incidents/inc_nope/${c}`, `/v1/incidents/%ZZ/${c}`), key: keys, body: invalidBody(VALID[c]!), contentType: contentTypes }));

/** The routes of coordination, correlation and on call, each with a body certainly invalid. */
const coordination = fc.constantFrom(
  ['POST', 'participants', '/v1/incidents/$ID/participants'], ['PATCH', 'edit', '/v1/incidents/$ID'], ['POST', 'reopen', '/v1/incidents/$ID/reopen'],
  ['POST', 'updates', '/v1/incidents/$ID/updates'], ['POST', 'links', '/v1/incidents/$ID/links'], ['POST', 'observables', '/v1/incidents/$ID/observables'],
  ['PUT', 'schedule', '/v1/organizations/fbi/schedules/fbi-duty'], ['POST', 'overrides', '/v1/organizations/fbi/schedules/fbi-duty/overrides'],
  ['PUT', 'escalation', '/v1/organizations/fbi/escalation'], ['PUT', 'schedule', '/v1/organizations/NOT_VALID/schedules/X'],
).chain(([method, body, path]) => fc.record({ method: fc.constant(method!), path: fc.constant(path!), key: keys, body: invalidBody(VALID[body!]!), contentType: contentTypes }));

/** Their queries, each certainly invalid (an `x` before anything generated keeps a number or a type from being valid by chance). */
const coordinationQueries = fc.oneof(
  weird.map((w) => `/v1/incidents/$ID/related?limit=x${enc(w)}`),
  fc.tuple(weird, weird).map(([a, b]) => `/v1/observables?type=x${enc(a)}&value=${enc(b)}`),
  fc.tuple(weird, weird).map(([a, b]) => `/v1/organizations/fbi/schedules/fbi-duty/shifts?from=x${enc(a)}&to=${enc(b)}`),
  weird.map((w) => `/v1/organizations/fbi/schedules/fbi-duty/oncall?at=x${enc(w)}`),
  weird.map((w) => `/v1/organizations/${enc(w) || 'x'}/schedules/${enc(w) || 'x'}/calendar.ics?token=${enc(w)}`),
  weird.map((w) => `/v1/audit?from=x${enc(w)}`),
);

const requests: fc.Arbitrary<Req> = fc.oneof(
  coordination,
  fc.record({ method: fc.constant('GET'), path: coordinationQueries, key: keys }),
  fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/incidents'), key: keys, body: invalidBody(VALID['/v1/incidents']!), contentType: contentTypes }),
  commands,
  fc.record({ method: fc.constant('PUT'), path: fc.constantFrom('/v1/organizations/x', '/v1/organizations/NOT_VALID', `/v1/organizations/${'a'.repeat(300)}`), key: keys, body: invalidBody(VALID['/v1/organizations/x']!), contentType: contentTypes }),
  fc.record({ method: fc.constant('POST'), path: fc.constantFrom('/v1/organizations/fbi/keys', '/v1/organizations/nobody/keys'), key: keys, body: invalidBody(VALID.keys!), contentType: contentTypes }),
  fc.record({ method: fc.constant('PUT'), path: fc.constantFrom('/v1/organizations/cisa/chat', '/v1/organizations/fbi/chat', '/v1/organizations/NOT_VALID/chat'), key: keys, body: invalidBody(VALID.chat!), contentType: contentTypes }),
  fc.record({
    method: fc.constant('POST'), path: fc.constantFrom('/v1/integrations/slack/cisa/commands', '/v1/integrations/slack/cisa/interactions', '/v1/integrations/slack/nobody/commands', '/v1/integrations/slack/%ZZ/interactions'),
    key: keys, body: fc.oneof(weird.map((w) => `text=ack%201234&team_id=${enc(w)}`), weird.map((w) => `payload=${enc(w)}`), fc.string({ maxLength: 300 })), contentType: contentTypes, headers: slackHeaders,
  }),
  fc.record({ method: fc.constant('GET'), path: fc.oneof(
    weird.map((w) => `/v1/incidents?cursor=${enc(w)}`),
    fc.constant('$CURSOR').map(() => '/v1/incidents?cursor=$CURSOR_TAMPERED'),
    fc.tuple(fc.constantFrom('limit', 'status', 'severity', 'participant', 'bogus'), weird).map(([k, v]) => `/v1/incidents?${k}=${enc(v)}`),
    weird.map((w) => `/v1/incidents/${enc(w)}`),
    fc.tuple(weird, weird).map(([a, b]) => `/v1/metrics?from=${enc(a)}&to=${enc(b)}`),
    weird.map((w) => `/v1/ack/${enc(w)}`),
    fc.constantFrom('/v1/incidents/%ED%A0%80', '/v1/ack/%FF%FE', '/v1/incidents?cursor=%C0%AF', '/v1/%2e%2e/keys'),
  ), key: keys }),
  fc.record({ method: fc.constantFrom('POST'), path: weird.map((w) => `/v1/ack/${enc(w)}x.y`), key: fc.constant(null) }),
  fc.record({ method: fc.constant('POST'), path: fc.constant('/v2/enqueue'), key: fc.constant(null), body: fc.oneof(
    invalidBody({ routing_key: 'not-a-key-anybody-has-000000', event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'info' } }),
    jsonish.map((v) => JSON.stringify({ routing_key: 'not-a-key-anybody-has-000000', event_action: 'trigger', payload: { summary: v, source: v, severity: v } })),
  ), contentType: contentTypes }),
  fc.record({ method: fc.constant('POST'), path: weird.map((w) => `/v1/integrations/cloudwatch/${enc(w) || 'x'}`), key: fc.constant(null), body: jsonish.map((v) => JSON.stringify({ Type: 'Notification', Message: v, Signature: 'AAAA', SignatureVersion: '1', SigningCertURL: 'https://evil.example/x.pem', MessageId: '1', TopicArn: 'arn:aws:sns:x', Timestamp: 't' })), contentType: fc.constant('text/plain') }),
  fc.record({ method: fc.constantFrom('DELETE', 'PATCH', 'PUT'), path: fc.constantFrom('/v1/incidents', '/v1/keys/key_000000000000000000000000', '/v1/keys/../../x', '/health'), key: keys }),
);

it('answers 1,000+ bad requests without a 5xx, and changes nothing', async () => {
  const before = await tableSnapshot(api.tableName);
  await fc.assert(fc.asyncProperty(requests, async (r) => {
    const tampered = cursor.slice(0, -3) + (cursor.endsWith('AAA') ? 'BBB' : 'AAA');
    const path = r.path.replace('$ID', incidentId).replace('$CURSOR_TAMPERED', tampered);
    const headers: Record<string, string> = {};
    if (r.key) headers.authorization = r.key.startsWith('Bearer') || r.key === 'nope' ? r.key : `Bearer ${r.key}`;
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    Object.assign(headers, r.headers ?? {});
    const res = await fetch(api.url + path, { method: r.method, headers, body: r.body });
    const text = await res.text();
    seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
    if (THERE.test(path.split('?')[0]!)) seenThere.add(res.status);
    expect({ status: res.status < 500, path }).toEqual({ status: true, path });
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/); // never a stack trace
  }), { numRuns: 1000 });
  const after = await tableSnapshot(api.tableName);
  expect(after.items).toEqual(before.items);
  // The only new items are audit entries of refusals (refused credentials, denied reads), which
  // name the caller and the id asked for, never a credential.
  const refusals = newAuditEntries(before, after);
  expect(refusals.length).toBeGreaterThan(0);
  const deniedRequests = new Set(refusals.filter((r) => r.outcome.S === 'denied').map((r) => r.requestId.S));
  for (const r of refusals) {
    // An admin action is recorded before it runs; when it is then refused, a denied entry follows.
    if (r.outcome.S === 'allowed') expect({ action: r.action.S, refused: deniedRequests.has(r.requestId.S) }).toEqual({ action: r.action.S, refused: true });
    expect(['authenticate', 'read', 'timeline', 'acknowledge', 'assign', 'resolve', 'note', 'audit', 'key.revoke', 'key.create', 'organization.put', 'notifications.replay']).toContain(r.action.S);
  }
  // The generator reached every kind of refusal.
  expect([...seen.keys()].filter((s) => s >= 400).sort()).toEqual(expect.arrayContaining([400, 401, 403, 404, 405, 413, 415]));
  // Coordination, correlation and on call were reached past the key, to their validation.
  expect([...seenThere]).toEqual(expect.arrayContaining([400, 401]));
}, 240_000);
