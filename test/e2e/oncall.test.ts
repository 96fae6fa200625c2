/**
 * On call through the API (issue #24): schedules put, read and deleted by whom the contract says,
 * validated naming the field, shifts and who is on call, the calendar feed read back by ical.js
 * (Mozilla's parser, as Thunderbird reads it) equal to GET shifts, its token revoked, escalation
 * policies, and every change audited.
 */
import ICAL from 'ical.js';
import { KEYS, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  const cisa = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
    name: 'CISA', kind: 'agency',
    contacts: [
      { name: 'cisa duty', email: 'duty@cisa.example', phone: '+12025550001', red: true },
      { id: 'ana', name: 'Ana Analyst', email: 'ana@cisa.example', timeZone: 'America/New_York' },
      { id: 'bo', name: 'Bo Watch', phone: '+12025550199', timeZone: 'Europe/London' },
      { name: 'Cy Lead', email: 'cy@cisa.example' },
    ],
  });
  expect(cisa.status).toBe(200);
  expect(cisa.body.contacts.map((c: { id: string }) => c.id)).toEqual(['cisa-duty', 'ana', 'bo', 'cy-lead']);
});
afterAll(() => api.stop());

const PATH = '/v1/organizations/cisa/schedules/watch';
const schedule = {
  name: 'Watch desk', timeZone: 'America/New_York',
  layers: [
    { start: '2026-10-26T09:00', rotation: 'daily', members: ['ana', 'bo'] },
    { start: '2026-10-26T00:00', rotation: 'weekly', members: ['cy-lead'], restrictions: [{ days: ['sat', 'sun'], from: '10:00', to: '18:00' }] },
  ],
  overrides: [{ contact: 'bo', from: '2026-11-04T15:00:00Z', to: '2026-11-04T16:00:00Z' }],
};

describe('schedules', () => {
  it('is created by its organization\'s admin (201, then 200 unchanged), with a calendar link, and read by its organization only', async () => {
    const created = await api.call(KEYS.admin, 'PUT', PATH, schedule);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(PATH);
    // Override instants are answered as the service writes every time: UTC with milliseconds.
    expect(created.body).toMatchObject({ id: 'watch', orgId: 'cisa', ...schedule, overrides: [{ contact: 'bo', from: '2026-11-04T15:00:00.000Z', to: '2026-11-04T16:00:00.000Z' }] });
    expect(created.body.calendarUrl).toMatch(/^http:\/\/localhost:3000\/v1\/organizations\/cisa\/schedules\/watch\/calendar\.ics\?token=[A-Za-z0-9_-]{43}$/);
    const again = await api.call(KEYS.admin, 'PUT', PATH, schedule);
    expect([again.status, again.body]).toEqual([200, created.body]);
    expect((await api.call(KEYS.partner.cisa, 'GET', PATH)).body).toEqual(created.body);
    expect((await api.call(KEYS.partner.cisa, 'GET', '/v1/organizations/cisa/schedules')).body.items).toEqual([created.body]);
    // Another organization's callers: as if it did not exist; a partner key may not write.
    expect((await api.call(KEYS.partner.fbi, 'GET', PATH)).status).toBe(404);
    expect((await api.call(KEYS.manager.odni, 'GET', `${PATH}/shifts?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z`)).status).toBe(404);
    expect((await api.call(KEYS.partner.cisa, 'PUT', PATH, schedule)).status).toBe(403);
    expect((await api.call(KEYS.partner.cisa, 'DELETE', PATH)).status).toBe(403);
  });

  it('answers the final shifts (09:00 New York: 13:00Z in October, 14:00Z in November) and who is on call, and until when', async () => {
    await api.call(KEYS.admin, 'PUT', PATH, schedule);
    const shifts = await api.call(KEYS.partner.cisa, 'GET', `${PATH}/shifts?from=2026-10-30T14:00:00Z&to=2026-11-02T14:00:00Z`);
    expect(shifts.status).toBe(200);
    expect(shifts.body.items).toEqual([
      { contact: 'ana', from: '2026-10-30T13:00:00.000Z', to: '2026-10-31T13:00:00.000Z' },
      { contact: 'bo', from: '2026-10-31T13:00:00.000Z', to: '2026-10-31T14:00:00.000Z' },
      { contact: 'cy-lead', from: '2026-10-31T14:00:00.000Z', to: '2026-10-31T22:00:00.000Z' },
      { contact: 'bo', from: '2026-10-31T22:00:00.000Z', to: '2026-11-01T14:00:00.000Z' },
      { contact: 'ana', from: '2026-11-01T14:00:00.000Z', to: '2026-11-01T15:00:00.000Z' },
      { contact: 'cy-lead', from: '2026-11-01T15:00:00.000Z', to: '2026-11-01T23:00:00.000Z' },
      { contact: 'ana', from: '2026-11-01T23:00:00.000Z', to: '2026-11-02T14:00:00.000Z' },
    ]);
    expect((await api.call(KEYS.partner.cisa, 'GET', `${PATH}/oncall?at=2026-11-04T15:30:00Z`)).body)
      .toEqual({ at: '2026-11-04T15:30:00.000Z', contacts: ['bo'], until: '2026-11-05T14:00:00.000Z' });
    const now = await api.call(KEYS.partner.cisa, 'GET', `${PATH}/oncall`);
    expect(now.status).toBe(200);
    expect(Math.abs(Date.parse(now.body.at) - Date.now())).toBeLessThan(60_000);
  });

  it('refuses bad schedules with 400 naming each field, and creates nothing', async () => {
    const bad = async (body: unknown) => {
      const res = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/schedules/bad', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      return res.body.errors.map((e: { path: string }) => e.path);
    };
    const layer = schedule.layers[0]!;
    expect(await bad({ ...schedule, timeZone: 'America/Gotham' })).toEqual(['timeZone']);
    expect(await bad({ ...schedule, layers: [{ ...layer, start: '2026-03-08T02:30' }] })).toEqual(['layers.0.start']);
    expect(await bad({ ...schedule, layers: [{ ...layer, members: ['ana', 'bo', 'nobody'] }] })).toEqual(['layers.0.members.2']);
    expect(await bad({ ...schedule, layers: [{ ...layer, restrictions: [{ days: ['mon'], from: '17:00', to: '09:00' }] }] })).toEqual(['layers.0.restrictions.0.to']);
    expect(await bad({ ...schedule, layers: [{ ...layer, restrictions: [{ days: ['mon'], from: '09:00', to: '17:00' }, { days: ['mon'], from: '12:00', to: '20:00' }] }] })).toEqual(['layers.0.restrictions.1']);
    expect(await bad({ ...schedule, layers: [layer], overrides: [{ contact: 'cy-lead', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }] })).toEqual(['overrides.0.contact']);
    expect(await bad({ ...schedule, layers: [{ ...layer, rotation: { hours: 745 } }], colour: 'red' })).toEqual(['layers.0.rotation.hours', 'colour']);
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/schedules/Bad_Id', schedule)).body.errors).toEqual([{ path: 'scheduleId', message: expect.any(String) }]);
    expect((await api.call(KEYS.admin, 'GET', '/v1/organizations/cisa/schedules/bad')).status).toBe(404);
    const window = await api.call(KEYS.partner.cisa, 'GET', `${PATH}/shifts?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z`);
    expect([window.status, window.body.errors]).toEqual([400, [{ path: 'to', message: expect.stringContaining('93 days') }]]);
  });
});

describe('the calendar feed', () => {
  it('is an RFC 5545 calendar that ical.js reads back as exactly the next 60 days of GET shifts, with stable UIDs', async () => {
    const { body } = await api.call(KEYS.admin, 'PUT', PATH, schedule);
    const feedPath = new URL(body.calendarUrl).pathname + new URL(body.calendarUrl).search;
    const feed = await api.call(null, 'GET', feedPath);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(feed.text).toMatch(/DTSTART:\d{8}T\d{6}Z/);
    const calendar = new ICAL.Component(ICAL.parse(feed.text));
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const stamp = calendar.getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstamp') as ICAL.Time;
    const from = stamp.toJSDate();
    const shifts = await api.call(KEYS.partner.cisa, 'GET', `${PATH}/shifts?from=${from.toISOString()}&to=${new Date(from.getTime() + 60 * 86400_000).toISOString()}`);
    const names: Record<string, string> = { ana: 'Ana Analyst', bo: 'Bo Watch', 'cy-lead': 'Cy Lead' };
    expect(events.length).toBeGreaterThan(50);
    expect(events.map((e) => ({ summary: e.summary, from: e.startDate.toJSDate().toISOString(), to: e.endDate.toJSDate().toISOString() })))
      .toEqual(shifts.body.items.map((s: { contact: string; from: string; to: string }) => ({ summary: `On call: ${names[s.contact]}`, from: s.from, to: s.to })));
    expect(events.every((e) => e.startDate.zone?.tzid === 'UTC' && e.endDate.zone?.tzid === 'UTC')).toBe(true);
    const again = new ICAL.Component(ICAL.parse((await api.call(null, 'GET', feedPath)).text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).uid);
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    expect(again.slice(0, 10)).toEqual(events.slice(0, 10).map((e) => e.uid));
  });

  it('ends every content line with CRLF, the last (END:VCALENDAR) included, as RFC 5545 3.4 and 3.6 write it', async () => {
    const { body } = await api.call(KEYS.admin, 'PUT', PATH, schedule);
    const feed = await api.call(null, 'GET', new URL(body.calendarUrl).pathname + new URL(body.calendarUrl).search);
    expect(feed.text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(feed.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('refuses a wrong token, and every earlier token once its admin asks for a new one', async () => {
    const { body } = await api.call(KEYS.admin, 'PUT', PATH, schedule);
    const url = new URL(body.calendarUrl);
    expect((await api.call(null, 'GET', `${url.pathname}?token=${'A'.repeat(43)}`)).status).toBe(403);
    expect((await api.call(null, 'GET', '/v1/organizations/cisa/schedules/none/calendar.ics?token=x')).status).toBe(403);
    expect((await api.call(KEYS.partner.cisa, 'POST', `${PATH}/feed-token`)).status).toBe(403);
    const rotated = await api.call(KEYS.admin, 'POST', `${PATH}/feed-token`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.calendarUrl).not.toBe(body.calendarUrl);
    expect((await api.call(null, 'GET', url.pathname + url.search)).status).toBe(403);
    const fresh = new URL(rotated.body.calendarUrl);
    expect((await api.call(null, 'GET', fresh.pathname + fresh.search)).status).toBe(200);
    // Replacing the schedule keeps the link.
    expect((await api.call(KEYS.admin, 'PUT', PATH, { ...schedule, name: 'Watch desk (renamed)' })).body.calendarUrl).toBe(rotated.body.calendarUrl);
  });

  it('never revives a revoked link: a schedule deleted and made again under the same id has new links (red team)', async () => {
    await api.call(KEYS.admin, 'DELETE', PATH);
    const { body } = await api.call(KEYS.admin, 'PUT', PATH, schedule);
    const revoked = new URL(body.calendarUrl);
    expect((await api.call(KEYS.admin, 'POST', `${PATH}/feed-token`)).status).toBe(200);
    expect((await api.call(KEYS.admin, 'DELETE', PATH)).status).toBe(204);
    const again = await api.call(KEYS.admin, 'PUT', PATH, schedule);
    expect(again.status).toBe(201);
    expect(again.body.calendarUrl).not.toBe(body.calendarUrl);
    expect((await api.call(null, 'GET', revoked.pathname + revoked.search)).status).toBe(403);
  });
});

describe('contacts a schedule or a policy names', () => {
  it('cannot be removed from the organization while named: 400 naming the schedule and the level, nothing changed (red team)', async () => {
    await api.call(KEYS.admin, 'PUT', PATH, schedule);
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', { levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }, { afterMinutes: 10, targets: [{ contact: 'cisa-duty' }] }] })).status).toBe(200);
    const before = (await api.call(KEYS.admin, 'GET', '/v1/organizations')).body;
    const removed = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
      name: 'CISA', kind: 'agency',
      contacts: [{ id: 'ana', name: 'Ana Analyst', email: 'ana@cisa.example', timeZone: 'America/New_York' }],
    });
    expect(removed.status).toBe(400);
    const messages = JSON.stringify(removed.body.errors);
    expect(messages).toMatch(/bo/);
    expect(messages).toMatch(/watch/);
    expect(messages).toMatch(/cisa-duty/);
    expect(messages).toMatch(/level 2/);
    expect((await api.call(KEYS.admin, 'GET', '/v1/organizations')).body).toEqual(before);
    expect((await api.call(KEYS.admin, 'GET', `${PATH}/oncall`)).status).toBe(200);
    await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', { levels: [{ afterMinutes: 0, targets: [{ contact: 'ana' }] }] });
  });
});

describe('escalation policies', () => {
  it('names the organization\'s schedules and contacts; a schedule it names cannot be deleted (409); every change is audited', async () => {
    await api.call(KEYS.admin, 'PUT', PATH, schedule);
    const unknown = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', { levels: [{ afterMinutes: 0, targets: [{ schedule: 'nope' }] }, { afterMinutes: 0, targets: [{ contact: 'zed' }] }], repeat: 4 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['levels.1.afterMinutes', 'repeat']);
    const targets = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', { levels: [{ afterMinutes: 0, targets: [{ schedule: 'nope' }] }, { afterMinutes: 10, targets: [{ contact: 'zed' }] }] });
    expect(targets.body.errors.map((e: { path: string }) => e.path)).toEqual(['levels.0.targets.0.schedule', 'levels.1.targets.0.contact']);
    const policy = { levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }, { afterMinutes: 15, targets: [{ contact: 'cy-lead' }] }], repeat: 1 };
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', policy);
    expect([put.status, put.body]).toEqual([200, { orgId: 'cisa', ...policy, updatedAt: expect.any(String) }]);
    expect((await api.call(KEYS.partner.cisa, 'GET', '/v1/organizations/cisa/escalation')).body).toEqual(put.body);
    expect((await api.call(KEYS.partner.fbi, 'GET', '/v1/organizations/cisa/escalation')).status).toBe(404);
    const del = await api.call(KEYS.admin, 'DELETE', PATH);
    expect([del.status, del.body.detail]).toEqual([409, expect.stringContaining('Level 1')]);
    await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', { levels: [{ afterMinutes: 0, targets: [{ contact: 'ana' }] }] });
    await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/schedules/spare', schedule);
    expect((await api.call(KEYS.admin, 'DELETE', '/v1/organizations/cisa/schedules/spare')).status).toBe(204);
    expect((await api.call(KEYS.admin, 'GET', '/v1/organizations/cisa/schedules/spare')).status).toBe(404);
    expect((await api.call(KEYS.admin, 'DELETE', '/v1/organizations/cisa/schedules/spare')).status).toBe(404);
    const audit = await api.call(KEYS.admin, 'GET', `/v1/audit?orgId=cisa&from=${new Date(Date.now() - 3600_000).toISOString()}`);
    const actions = audit.body.items.filter((e: { action: string }) => /^(schedule|escalation)\./.test(e.action)).map((e: { action: string; outcome: string }) => `${e.action} ${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['schedule.put allowed', 'schedule.delete allowed', 'schedule.delete denied', 'escalation.put allowed', 'escalation.put denied', 'schedule.feed_token allowed']));
  });
});

describe('bad input', () => {
  it('answers random bad schedules, policies and queries without a 5xx (refusals as problem documents), and changes nothing', async () => {
    const fc = (await import('fast-check')).default;
    await api.call(KEYS.admin, 'PUT', PATH, schedule);
    const before = (await api.call(KEYS.admin, 'GET', PATH)).body;
    const weird = fc.oneof(fc.string(), fc.constantFrom('', '0000-01-01T00:00', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '2026-03-08T02:30', '24:00', '-1', '1e400', 'America/New_York', 'Etc/GMT+5', '\u202e'), fc.integer().map(String));
    const value = fc.oneof(weird, fc.integer(), fc.constant(null), fc.array(weird, { maxLength: 3 }), fc.dictionary(fc.constantFrom('hours', 'days', 'from', 'to', 'contact', 'schedule'), weird, { maxKeys: 2 }));
    const layer = fc.record({ start: weird, rotation: value, members: fc.oneof(value, fc.constant(['ana'])), restrictions: fc.option(fc.array(fc.record({ days: value, from: weird, to: weird }), { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: [] });
    const requests = fc.oneof(
      fc.record({ method: fc.constant('PUT'), path: fc.constant(PATH), body: fc.record({ name: weird, timeZone: weird, layers: fc.array(layer, { maxLength: 2 }), overrides: fc.option(fc.array(fc.record({ contact: weird, from: weird, to: weird }), { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: [] }) }),
      fc.record({ method: fc.constant('PUT'), path: fc.constant('/v1/organizations/cisa/escalation'), body: fc.record({ levels: fc.array(fc.record({ afterMinutes: value, targets: fc.array(value, { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }), repeat: value }, { requiredKeys: [] }) }),
      fc.tuple(weird, weird).map(([a, b]) => ({ method: 'GET', path: `${PATH}/shifts?from=${encodeURIComponent(a)}&to=${encodeURIComponent(b)}`, body: undefined })),
      weird.map((a) => ({ method: 'GET', path: `${PATH}/oncall?at=${encodeURIComponent(a)}`, body: undefined })),
      weird.map((t) => ({ method: 'GET', path: `${PATH}/calendar.ics?token=${encodeURIComponent(t)}`, body: undefined })),
      weird.map((id) => ({ method: 'DELETE', path: `/v1/organizations/cisa/schedules/${encodeURIComponent(id) || 'x'}`, body: undefined })),
    );
    await fc.assert(fc.asyncProperty(requests, async (r) => {
      const res = await api.call(KEYS.admin, r.method, r.path, r.body);
      // Some generated queries are valid (an instant in year 9999 is one): never a 5xx, a problem document for every refusal.
      expect({ path: r.path, status: res.status < 500 ? 'not 5xx' : res.status }).toEqual({ path: r.path, status: 'not 5xx' });
      if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.text).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }), { numRuns: 150, seed: 24 });
    expect((await api.call(KEYS.admin, 'GET', PATH)).body).toEqual(before);
  });
});
