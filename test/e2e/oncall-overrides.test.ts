/**
 * "Take this shift" (POST …/schedules/{id}/overrides) through the API with keys (#24): the admin
 * adds an override for any member contact; other keys are no one; random bad bodies get a 4xx
 * problem document and change nothing; overrides added at the same moment are all kept (the
 * schedule is written only while it is still as read). People, whose email ties them to their
 * contact, are tested against `npm start` in app-oncall.test.ts.
 */
import { KEYS, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
const PATH = '/v1/organizations/cisa/schedules/desk';
const HOUR = 3600_000;
const start = Math.floor(Date.now() / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
    name: 'CISA', kind: 'agency',
    contacts: [
      { id: 'ana', name: 'Ana Analyst', email: 'ana@cisa.example' },
      { id: 'bo', name: 'Bo Watch', email: 'bo@cisa.example' },
      { id: 'cy', name: 'Cy Lead', email: 'cy@cisa.example' },
    ],
  })).status).toBe(200);
  expect((await api.call(KEYS.admin, 'PUT', PATH, {
    name: 'Desk', timeZone: 'UTC', layers: [{ start: iso(start).slice(0, 16), rotation: 'daily', members: ['ana', 'bo'] }],
  })).status).toBe(201);
});
afterAll(() => api.stop());

it('lets the admin add an override for any member contact (201 the schedule), and answers it in oncall', async () => {
  const window = { contact: 'bo', from: iso(start + 2 * HOUR), to: iso(start + 3 * HOUR) };
  const res = await api.call(KEYS.admin, 'POST', `${PATH}/overrides`, window);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ id: 'desk', orgId: 'cisa', overrides: [window] });
  expect(res.body.calendarUrl).toMatch(/calendar\.ics\?token=/);
  expect((await api.call(KEYS.partner.cisa, 'GET', `${PATH}/oncall?at=${iso(start + 2.5 * HOUR)}`)).body).toEqual({ at: iso(start + 2.5 * HOUR), contacts: ['bo'], until: window.to });
  // Another organization's callers: the schedule does not exist for them; cisa's other keys are no one.
  expect((await api.call(KEYS.partner.fbi, 'POST', `${PATH}/overrides`, window)).status).toBe(404);
  expect((await api.call(KEYS.manager.odni, 'POST', `${PATH}/overrides`, window)).status).toBe(404);
  expect((await api.call(KEYS.partner.cisa, 'POST', `${PATH}/overrides`, window)).status).toBe(403);
  expect((await api.call(KEYS.manager.cisa, 'POST', `${PATH}/overrides`, { from: window.from, to: window.to })).status).toBe(403);
  expect((await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/schedules/none/overrides', window)).status).toBe(404);
  // A contact of the organization in no layer of the schedule.
  const outsider = await api.call(KEYS.admin, 'POST', `${PATH}/overrides`, { ...window, contact: 'cy' });
  expect([outsider.status, outsider.body.errors]).toEqual([400, [expect.objectContaining({ path: 'contact' })]]);
  const audit = await api.call(KEYS.admin, 'GET', `/v1/audit?orgId=cisa&action=schedule.override&from=${iso(Date.now() - HOUR)}`);
  expect(audit.body.items.map((e: { outcome: string }) => e.outcome)).toEqual(expect.arrayContaining(['allowed', 'denied']));
});

it('keeps every override added at the same moment (a conditional write on the schedule as read)', async () => {
  const before = (await api.call(KEYS.admin, 'GET', PATH)).body.overrides.length;
  const windows = Array.from({ length: 6 }, (_, i) => ({ contact: i % 2 ? 'ana' : 'bo', from: iso(start + (30 + i) * HOUR), to: iso(start + (31 + i) * HOUR) }));
  const answers = await Promise.all(windows.map((w) => api.call(KEYS.admin, 'POST', `${PATH}/overrides`, w)));
  expect(answers.map((a) => a.status)).toEqual(windows.map(() => 201));
  const overrides = (await api.call(KEYS.admin, 'GET', PATH)).body.overrides;
  expect(overrides.length).toBe(before + windows.length);
  expect(overrides).toEqual(expect.arrayContaining(windows));
});

it('answers random bad bodies with a 4xx problem document, never a 5xx, and changes nothing', async () => {
  const fc = (await import('fast-check')).default;
  const before = (await api.call(KEYS.admin, 'GET', PATH)).body;
  const weird = fc.oneof(fc.string(), fc.constantFrom('', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-13-01T00:00:00Z', 'bo', 'cy', 'nobody', '\u202e', '1e400'), fc.integer().map(String));
  const value = fc.oneof(weird, fc.integer(), fc.constant(null), fc.array(weird, { maxLength: 2 }));
  const body = fc.oneof(value, fc.record({ from: weird, to: weird, contact: fc.oneof(weird, value), extra: value }, { requiredKeys: [] }));
  await fc.assert(fc.asyncProperty(body, async (b) => {
    const res = await api.call(KEYS.admin, 'POST', `${PATH}/overrides`, b);
    if (res.status === 201) return; // a random body can be a valid override: then it is one more
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  }), { numRuns: 40 });
  const after = (await api.call(KEYS.admin, 'GET', PATH)).body;
  expect(after.overrides.slice(0, before.overrides.length)).toEqual(before.overrides);
  expect(after.layers).toEqual(before.layers);
});
