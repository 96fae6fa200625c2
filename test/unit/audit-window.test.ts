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
