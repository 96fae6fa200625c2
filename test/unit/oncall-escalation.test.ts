/**
 * Escalation policies as a state machine on an injected clock (issue #24): level timing, repeat,
 * acknowledgement stopping it, the timer running twice or late, a schedule changed between two
 * levels, RED paging only cleared contacts.
 */
import { advancePaging, startPaging, targetsOf, REPEAT_FALLBACK_MINUTES, type Page, type PagingContext, type PagingState } from '../../lambdas/domain/oncall/paging';
import { makePager } from '../../lambdas/domain/oncall/pager';
import type { Contact, EscalationPolicySpec } from '../../lambdas/domain/ports';
import type { ScheduleSpec } from '../../lambdas/domain/oncall/schedule';

const contact = (id: string, red = false): Contact => ({ id, name: id, email: `${id}@fbi.example`, phone: null, ...(red ? { red: true as const } : {}) });
const CONTACTS = [contact('ana', true), contact('bo'), contact('cy', true), contact('lead')];
const duty: ScheduleSpec = { name: 'Duty', timeZone: 'America/New_York', layers: [{ start: '2026-11-02T09:00', rotation: 'daily', members: ['ana', 'bo'] }] };
const policy: EscalationPolicySpec = { levels: [{ afterMinutes: 0, targets: [{ schedule: 'duty' }] }, { afterMinutes: 10, targets: [{ contact: 'lead' }, { schedule: 'duty' }] }, { afterMinutes: 30, targets: [{ contact: 'cy' }] }], repeat: 1 };
const ctx = (over: Partial<PagingContext> = {}): PagingContext => ({ policy, schedules: new Map([['duty', duty]]), contacts: CONTACTS, red: false, ...over });

/** Monday 2 November 2026, 15:00Z: ana's day (09:00 New York = 14:00Z). */
const T = Date.parse('2026-11-02T15:00:00Z');
const at = (minutes: number) => new Date(T + minutes * 60_000);
const brief = (pages: Page[]) => pages.map((p) => `L${p.level}r${p.round} ${p.contacts.join('+')} @${(Date.parse(p.at) - T) / 60_000}`);

/** Runs the timer at each minute given, from the state after the notification, until it ends. */
function run(c: PagingContext, minutes: number[], acknowledgedAt = Infinity) {
  const start = startPaging(c, at(0));
  const pages = [...start.pages];
  let state: PagingState | null = start.state;
  for (const m of minutes) {
    if (!state) break;
    const step = advancePaging(c, state, at(m), m >= acknowledgedAt);
    pages.push(...step.pages);
    state = step.state;
  }
  return { pages: brief(pages), state };
}

describe('timing', () => {
  it('pages level 1 at notification, level n+1 afterMinutes after level n, then repeats once, then ends', () => {
    const everyMinute = Array.from({ length: 200 }, (_, i) => i + 1);
    const { pages, state } = run(ctx(), everyMinute);
    // Repeat: level 1 again as long after level 3 as level 3 came after level 2 (30 minutes).
    expect(pages).toEqual(['L1r0 ana @0', 'L2r0 lead+ana @10', 'L3r0 cy @40', 'L1r1 ana @70', 'L2r1 lead+ana @80', 'L3r1 cy @110']);
    expect(state).toBeNull();
  });

  it('pages nothing before a level is due, and nothing twice when the timer runs twice at the same minute', () => {
    const start = startPaging(ctx(), at(0));
    expect(start.state).toEqual({ position: 0, dueAt: at(10).toISOString() });
    expect(advancePaging(ctx(), start.state!, at(9), false)).toEqual({ pages: [], state: start.state });
    const first = advancePaging(ctx(), start.state!, at(10), false);
    expect(brief(first.pages)).toEqual(['L2r0 lead+ana @10']);
    // The second run of the same minute reads the state the first one stored.
    expect(advancePaging(ctx(), first.state!, at(10), false)).toEqual({ pages: [], state: first.state });
  });

  it('a late timer pages every level whose time has come, once each, and keeps the plan\'s next due time', () => {
    const { pages, state } = run(ctx(), [45]);
    expect(pages).toEqual(['L1r0 ana @0', 'L2r0 lead+ana @45', 'L3r0 cy @45']);
    expect(state).toEqual({ position: 2, dueAt: at(70).toISOString() });
  });

  it('a one-level policy repeats every REPEAT_FALLBACK_MINUTES', () => {
    const one = ctx({ policy: { levels: [{ afterMinutes: 0, targets: [{ contact: 'bo' }] }], repeat: 2 } });
    expect(run(one, [4, 5, 9, 10, 11, 60]).pages).toEqual(['L1r0 bo @0', `L1r1 bo @${REPEAT_FALLBACK_MINUTES}`, `L1r2 bo @${2 * REPEAT_FALLBACK_MINUTES}`]);
    expect(startPaging(ctx({ policy: { levels: [{ afterMinutes: 0, targets: [{ contact: 'bo' }] }] } }), at(0)).state).toBeNull();
  });
});

describe('acknowledgement and changes', () => {
  it('stops once the organization acknowledges', () => {
    expect(run(ctx(), [10, 20, 40, 70], 20)).toEqual({ pages: ['L1r0 ana @0', 'L2r0 lead+ana @10'], state: null });
  });

  it('resolves each level when it is paged: a schedule changed between two levels pages whom it now names', () => {
    const start = startPaging(ctx(), at(0));
    const changed: ScheduleSpec = { ...duty, overrides: [{ contact: 'bo', from: at(5).toISOString(), to: at(60).toISOString() }] };
    const step = advancePaging(ctx({ schedules: new Map([['duty', changed]]) }), start.state!, at(10), false);
    expect(brief([...start.pages, ...step.pages])).toEqual(['L1r0 ana @0', 'L2r0 lead+bo @10']);
  });

  it('resolves a schedule at the instant of the page: the handoff decides', () => {
    expect(targetsOf(ctx(), 0, new Date('2026-11-03T13:59:00Z'))).toEqual(['ana']);
    expect(targetsOf(ctx(), 0, new Date('2026-11-03T14:00:00Z'))).toEqual(['bo']);
  });
});

describe('RED', () => {
  it('pages only cleared contacts, skipping a level without one (it takes no time of its own)', () => {
    // Tuesday 3 November 15:00Z is bo's day: level 1 has nobody cleared, level 2 only lead (not cleared) and bo.
    const tuesday = (Date.parse('2026-11-03T15:00:00Z') - T) / 60_000;
    const c = ctx({ red: true });
    const start = startPaging(c, at(tuesday));
    expect(brief(start.pages)).toEqual([`L3r0 cy @${tuesday}`]);
    expect(start.state).toEqual({ position: 2, dueAt: at(tuesday + 30).toISOString() });
  });

  it('fails when no level has a cleared contact', () => {
    const c = ctx({ red: true, policy: { levels: [{ afterMinutes: 0, targets: [{ contact: 'bo' }] }, { afterMinutes: 5, targets: [{ contact: 'lead' }] }] } });
    expect(startPaging(c, at(0))).toEqual({ pages: [], state: null, failed: expect.stringContaining('cleared for TLP:RED') });
  });
});

describe('the pager (notifications to an organization with a policy)', () => {
  const org = { id: 'fbi', name: 'FBI', kind: 'agency' as const, contacts: CONTACTS, createdAt: '', updatedAt: '' };
  const incident = (over: Record<string, unknown> = {}) => ({ id: 'inc_1', tlp: 'AMBER', status: 'reported', participants: ['fbi'], acknowledgements: [], ...over }) as never;
  function setup(withPolicy = true) {
    const started: unknown[] = [];
    const pager = makePager({
      oncall: { getPolicy: async () => (withPolicy ? { orgId: 'fbi', policy, updatedAt: '' } : null), getPolicies: async () => new Map(withPolicy ? [['fbi', { orgId: 'fbi', policy, updatedAt: '' }]] : []), listSchedules: async () => [{ orgId: 'fbi', id: 'duty', spec: duty, feedGeneration: 1, createdAt: '', updatedAt: '' }] },
      store: { start: async (item) => { started.push(item); return true; }, due: async () => [], move: async () => true },
    });
    return { pager, started };
  }

  it('a report pages level 1 and starts the paging; a note reaches level 1 without starting one; no policy: null (every contact)', async () => {
    const { pager, started } = setup();
    expect(await pager.plan(org, incident(), { type: 'reported', seq: 1 }, at(0))).toEqual({ level: 1, contacts: ['ana'] });
    expect(started).toEqual([{ incidentId: 'inc_1', orgId: 'fbi', about: 1, state: { position: 0, dueAt: at(10).toISOString() } }]);
    expect(await pager.plan(org, incident(), { type: 'note', seq: 2 }, at(1))).toEqual({ level: 1, contacts: ['ana'] });
    expect(started).toHaveLength(1);
    expect(await setup(false).pager.plan(org, incident(), { type: 'reported', seq: 1 }, at(0))).toBeNull();
  });

  it('starts no paging for an organization that is not a participant (a managers\' organization told of an escalation) or has acknowledged', async () => {
    const { pager, started } = setup();
    await pager.plan(org, incident({ participants: ['cisa'] }), { type: 'escalated', seq: 3 }, at(0));
    await pager.plan(org, incident({ acknowledgements: [{ orgId: 'fbi' }] }), { type: 'escalated', seq: 3 }, at(0));
    expect(started).toEqual([]);
  });
});
