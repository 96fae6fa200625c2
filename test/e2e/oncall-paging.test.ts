/**
 * Paging by escalation policy through npm start's stack (issue #24): a report pages only who is on
 * call (the outbox names the contacts), the timer pages the next level while nobody of the
 * organization acknowledges, twice-run timers page once, an acknowledgement stops it, and an
 * organization without a policy is paged as before (all its contacts).
 */
import { handler as timers } from '../../lambdas/handlers/escalate-incidents';
import { ManualClock } from '../support/memory-repositories';
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

/** Tuesday 3 November 2026, 15:00Z: 10:00 in New York. */
const clock = new ManualClock(Date.parse('2026-11-03T15:00:00.000Z'));
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ notifications: true, overrides: { clock, pause: async () => {} } });
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa', {
    name: 'CISA', kind: 'agency',
    contacts: [
      { id: 'ana', name: 'Ana', email: 'ana@cisa.example', red: true },
      { id: 'bo', name: 'Bo', phone: '+12025550198' },
      { id: 'lead', name: 'Lead', email: 'lead@cisa.example' },
    ],
  })).status).toBe(200);
  // Ana on the 3rd (even days from the 1st), Bo on the 2nd and 4th.
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/schedules/watch', {
    name: 'Watch', timeZone: 'America/New_York', layers: [{ start: '2026-11-01T09:00', rotation: 'daily', members: ['ana', 'bo'] }],
  })).status).toBe(201);
  expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', {
    levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }, { afterMinutes: 10, targets: [{ contact: 'lead' }] }],
  })).status).toBe(200);
});
afterAll(() => api.stop());

type Event = { type: string; data: Record<string, unknown> };
const timeline = async (id: string) => (await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${id}/timeline`)).body.events as Event[];
const pagesOf = (events: Event[], orgId: string) => events.filter((e) => e.type === 'notified' && e.data.orgId === orgId).map((e) => [e.data.level, e.data.contacts]);
const outboxFor = (incidentId: string, orgId: string) => api.outbox.messages.filter((m) => m.incidentId === incidentId && m.orgId === orgId).map((m) => m.contacts);

async function reported(): Promise<string> {
  const res = await api.call(KEYS.partner.fbi, 'POST', '/v1/incidents', report({ severity: 'low', participants: ['cisa'] }));
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  await eventually(async () => pagesOf(await timeline(id), 'cisa').length === 1 && pagesOf(await timeline(id), 'fbi').length === 1);
  return id;
}

it('pages level 1 (who is on call) at the report, level 2 ten minutes later, once however often the timer runs; no policy: every contact', async () => {
  const id = await reported();
  expect(pagesOf(await timeline(id), 'cisa')).toEqual([[1, ['ana']]]);
  expect(outboxFor(id, 'cisa')).toEqual([['ana']]);
  // FBI has no policy: its every contact, level 1, as before.
  expect(pagesOf(await timeline(id), 'fbi')).toEqual([[1, ['fbi-duty']]]);
  clock.advance(9 * 60);
  expect((await timers()).paged).toBe(0);
  clock.advance(60);
  expect((await timers()).paged).toBe(1);
  expect((await timers()).paged).toBe(0);
  expect(pagesOf(await timeline(id), 'cisa')).toEqual([[1, ['ana']], [2, ['lead']]]);
  expect(outboxFor(id, 'cisa')).toEqual([['ana'], ['lead']]);
  const page = api.outbox.messages.filter((m) => m.incidentId === id && m.orgId === 'cisa').at(-1)!;
  expect(page.sms).toMatch(/^ESCALATED/);
  clock.advance(3600);
  expect((await timers()).paged).toBe(0);
});

it('stops when anyone of the organization acknowledges', async () => {
  const id = await reported();
  expect((await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${id}/acknowledge`, {})).status).toBe(200);
  clock.advance(10 * 60);
  expect((await timers()).paged).toBe(0);
  expect(pagesOf(await timeline(id), 'cisa')).toEqual([[1, ['ana']]]);
});

it('pages whom the schedule names at the time of the page: the next day, Bo', async () => {
  clock.advance(24 * 3600);
  const id = await reported();
  expect(pagesOf(await timeline(id), 'cisa')).toEqual([[1, ['bo']]]);
});

it('tells the incoming contact once at the start of each shift, naming the schedule, its end and the open incidents, however often the timer runs', async () => {
  clock.advance((Date.parse('2026-11-05T13:59:00Z') - clock.now().getTime()) / 1000);
  await timers();
  const before = api.outbox.messages.length;
  clock.advance(120);
  // Two runs at once read the same progress and find the same shift: its claim lets one send it.
  await Promise.all([timers(), timers()]);
  await timers();
  const notices = api.outbox.messages.slice(before).filter((m) => m.incidentId === null && m.orgId === 'cisa');
  expect(notices.map((m) => [m.topic, m.contacts])).toEqual([['cisa_red', ['ana']]]);
  expect(notices[0]!.email!.subject).toBe('[Concord] CISA on call: Watch until 2026-11-06 14:00 UTC');
  // The two incidents reported by the first tests are open (one acknowledged); this one is too.
  expect(notices[0]!.email!.body).toMatch(/CISA has [3-9] open incidents:/);
  expect(notices[0]!.sms).toMatch(/^Concord: on call now for Watch \(CISA\) until 2026-11-06 14:00 UTC\. Open incidents: \d+\.$/);
});
