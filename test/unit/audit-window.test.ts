/**
 * The admins' audit window read day by day (makeAuditTrail.between) over the in-memory audit log:
 * windows at the far end of the calendar a query string allows. Red team, round four (F1): a window
 * on 9999-12-31 made the day loop step to "+010000-01-01", which sorts before "9999-12-31" as text,
 * so the loop never ended and never awaited: one request froze the whole local server.
 */
import type { Caller } from '../../lambdas/domain/actor';
import { makeAuditTrail } from '../../lambdas/domain/audit';
import { ManualClock, MemoryAuditLog } from '../support/memory-repositories';
import { AuditWindowQuery } from '../../lambdas/http/schemas';
import { loggedReads } from '../support/logged-reads';

const admin: Caller = { orgId: 'cisa', role: 'admin', keyId: 'key_admin', requestId: 'req-1' };

describe('the admins\' audit window at the calendar\'s far end (red team F1)', () => {
  it('F1: a window on the last day a query allows ends, empty, instead of looping for ever', async () => {
    const trail = makeAuditTrail({ audit: new MemoryAuditLog(), clock: new ManualClock() });
    const page = await trail.between(admin, { from: '9999-12-31T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z', limit: 100 });
    expect(page).toEqual({ from: '9999-12-31T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z', items: [], last: null });
  });

  it('F1: a window that ends in the future still answers what was written before now', async () => {
    const audit = new MemoryAuditLog();
    const clock = new ManualClock();
    const at = clock.now().toISOString();
    await audit.append([{ id: `${at}#abc`, at, actor: { orgId: 'cisa', by: null, via: 'api', keyId: 'key_admin' }, action: 'put_organization', requestId: 'r', outcome: 'allowed' } as never]);
    const trail = makeAuditTrail({ audit, clock });
    const page = await trail.between(admin, { from: '2026-11-03T00:00:00.000Z', to: '2027-11-03T00:00:00.000Z', limit: 100 });
    expect(page.items).toHaveLength(1);
    expect(page.last).toBeNull();
  });

  it('F1: the query string takes four-digit years only, as the day loop reads them', () => {
    expect(AuditWindowQuery.safeParse({ from: '9999-12-31T00:00:00Z', to: '9999-12-31T23:59:59.999Z' }).success).toBe(true);
    expect(AuditWindowQuery.safeParse({ from: '+010000-01-01T00:00:00Z' }).success).toBe(false);
  });
});

// #27: each day of the window is one round trip, not two: its entries and its summaries are read at once.
describe('the admins\' audit window, read a day at a time', () => {
  const entry = (at: string, i: number) => ({ id: `${at}#${String(i).padStart(13, '0')}`, at, actor: { orgId: 'cisa', by: null, via: 'api', keyId: 'key_admin' }, action: 'put_organization', requestId: `r${i}`, outcome: 'allowed' } as never);

  it('reads a settled day\'s entries and summaries at once, and a page filled by the entries leaves the summaries unused', async () => {
    const memory = new MemoryAuditLog();
    const clock = new ManualClock(Date.parse('2026-11-03T12:00:00.000Z'));
    await memory.append([entry('2026-11-02T10:00:00.000Z', 1), entry('2026-11-02T11:00:00.000Z', 2), entry('2026-11-03T10:00:00.000Z', 3)]);
    const steps: string[] = [];
    const later = loggedReads(steps);
    const audit = Object.create(memory) as MemoryAuditLog;
    audit.between = (q) => later(`entries ${q.from.slice(0, 10)}`, () => memory.between(q))();
    audit.hiddenOn = (q) => later(`summaries ${q.day}`, () => memory.hiddenOn(q))();
    const trail = makeAuditTrail({ audit, clock });
    const page = await trail.between(admin, { from: '2026-11-02T00:00:00.000Z', limit: 100 });
    expect(page.items).toHaveLength(3);
    // Yesterday (settled): both asked before either answered. Today (not settled): entries only.
    expect(steps.slice(0, 2).sort()).toEqual(['entries 2026-11-02 asked', 'summaries 2026-11-02 asked']);
    expect(steps.filter((s) => s.startsWith('summaries'))).toEqual(['summaries 2026-11-02 asked', 'summaries 2026-11-02 answered']);
    // A page of one is filled by yesterday's first entry: its summaries were read, but nothing of them shows.
    const first = await trail.between(admin, { from: '2026-11-02T00:00:00.000Z', limit: 1 });
    expect(first.items).toEqual([expect.objectContaining({ requestId: 'r1' })]);
    expect(first.last).not.toBeNull();
  });

  it('summaries that cannot be read fail the page that needs them, and leave none unhandled when it does not', async () => {
    const memory = new MemoryAuditLog();
    const clock = new ManualClock(Date.parse('2026-11-03T12:00:00.000Z'));
    await memory.append([entry('2026-11-02T10:00:00.000Z', 1), entry('2026-11-02T11:00:00.000Z', 2)]);
    const audit = Object.create(memory) as MemoryAuditLog;
    audit.hiddenOn = () => Promise.reject(new Error('throttled'));
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const trail = makeAuditTrail({ audit, clock });
      await expect(trail.between(admin, { from: '2026-11-02T00:00:00.000Z', limit: 100 })).rejects.toThrow('throttled');
      expect((await trail.between(admin, { from: '2026-11-02T00:00:00.000Z', limit: 1 })).items).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

// Review s8: a day's summaries are read beside its entries; when the page does not use them (its
// entries fill it, or they could not be read) the page still answers only once that read is over:
// nothing of a request is left reading after its answer.
describe('the admins\' audit window leaves no summary read running after it answers', () => {
  const entry = (at: string, i: number) => ({ id: `${at}#${String(i).padStart(13, '0')}`, at, actor: { orgId: 'cisa', by: null, via: 'api', keyId: 'key_admin' }, action: 'put_organization', requestId: `r${i}`, outcome: 'allowed' } as never);

  it('a page filled by a settled day\'s entries, or failed by them, answers once that day\'s summaries are read', async () => {
    const memory = new MemoryAuditLog();
    const clock = new ManualClock(Date.parse('2026-11-03T12:00:00.000Z'));
    await memory.append([entry('2026-11-02T10:00:00.000Z', 1), entry('2026-11-02T11:00:00.000Z', 2)]);
    let reading = 0;
    const audit = Object.create(memory) as MemoryAuditLog;
    audit.hiddenOn = async (q) => {
      reading++;
      try {
        await new Promise((r) => setTimeout(r, 30));
        return await memory.hiddenOn(q);
      } finally { reading--; }
    };
    const trail = makeAuditTrail({ audit, clock });
    const full = await trail.between(admin, { from: '2026-11-02T00:00:00.000Z', limit: 1 });
    expect(full.items).toHaveLength(1);
    expect(reading).toBe(0);
    audit.between = () => Promise.reject(new Error('entries unreadable'));
    await expect(trail.between(admin, { from: '2026-11-02T00:00:00.000Z', limit: 100 })).rejects.toThrow('entries unreadable');
    expect(reading).toBe(0);
  });
});
