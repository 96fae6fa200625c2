/**
 * An admin's window on the whole audit trail (`GET /v1/audit`) and restricted incidents outside
 * the admin's organization (#22 item 5): never shown one by one — their time, key and number would
 * tell the admin of them — but summed up per acting organization and past UTC day, counting
 * requests. Its own server with a clock the test moves, so "the next day" comes.
 */
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';
import { ManualClock } from '../support/memory-repositories';

type Entry = { at: string; actor: { orgId: string; by: string | null; personId?: string; keyId?: string }; action: string; incidentId?: string; tlp?: string; outcome: string; requestId: string; detail?: string };

describe('#22-5: an admin outside a restricted incident learns nothing of it from /v1/audit but a count of requests per organization and past day', () => {
  const clock = new ManualClock(Date.parse('2026-11-03T09:00:00.000Z'));
  let local: TestApi;
  beforeAll(async () => { local = await startTestApi({ overrides: { clock } }); });
  afterAll(() => local.stop());
  type Row = Entry & { kind?: string; orgId?: string; day?: string; count?: number };
  const page = async (query: string) => {
    const res = await local.call(KEYS.admin, 'GET', `/v1/audit?${query}`);
    expect(res.status).toBe(200);
    return res.body as { items: Row[]; nextCursor: string | null };
  };
  const all = async (query: string, limit: number) => {
    const rows: Row[] = [];
    const cursors: string[] = [];
    let cursor: string | null = null;
    do {
      const body = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(body.items.length).toBeLessThanOrEqual(limit);
      rows.push(...body.items);
      cursor = body.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    return { rows, cursors };
  };

  it('no time, key or per-incident count of a restricted incident outside; a participant\'s admin still sees its entries', async () => {
    // Outside CISA (the admin's organization): two RED incidents and one AMBER+STRICT, each read, and one list page carrying all three.
    const hidden: Array<{ id: string; reportedAt: string }> = [];
    for (const tlp of ['RED', 'RED', 'AMBER+STRICT']) {
      clock.advance(61);
      const res = await local.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp, participants: ['twitter'] }));
      expect(res.status).toBe(201);
      hidden.push(res.body);
      clock.advance(7);
      expect((await local.call(KEYS.partner.twitter, 'GET', `/v1/incidents/${res.body.id}`)).status).toBe(200);
    }
    clock.advance(5);
    const list = await local.call(KEYS.partner.twitter, 'GET', '/v1/incidents?limit=100');
    expect(list.body.items.filter((i: { id: string }) => hidden.some((h) => h.id === i.id))).toHaveLength(3);
    // CISA participates in this one: its admin sees its entries as they are.
    clock.advance(3);
    const { body: mine } = await local.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['cisa'] }));
    clock.advance(3);
    await local.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${mine.id}`);

    const keyIdOfGoogle = (await page('from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z&orgId=google&action=report')).items
      .find((e) => e.incidentId === mine.id)!.actor.keyId!;
    const leaks = (rows: Row[]) => {
      const text = JSON.stringify(rows);
      for (const h of hidden) {
        expect(text).not.toContain(h.id);
        expect(text).not.toContain(h.reportedAt);
      }
      // Nothing about them is shown one by one, so neither the reporter's key nor a reader's.
      expect(rows.filter((r) => !r.kind && r.incidentId !== mine.id && (r.actor.orgId === 'twitter' || r.actor.keyId === keyIdOfGoogle))).toEqual([]);
    };
    // The same day: the participant's entries one by one, nothing of the others, not even a count.
    const today = await all('from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z', 2);
    leaks(today.rows);
    expect(today.rows.filter((r) => r.kind)).toEqual([]);
    expect(today.rows.filter((r) => r.incidentId === mine.id).map((r) => [r.action, r.actor.orgId, r.tlp])).toEqual([['report', 'google', 'RED'], ['read', 'cisa', 'RED']]);

    // The next day: one summary per acting organization for the whole past day, counting requests (Twitter's list page is one, not three).
    clock.advance(86_400);
    const summaries = [
      { kind: 'restricted-summary', orgId: 'google', day: '2026-11-03', count: 3 },
      { kind: 'restricted-summary', orgId: 'twitter', day: '2026-11-03', count: 4 },
    ];
    const whole = await page('from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z');
    leaks(whole.items);
    expect(whole.items.filter((r) => r.kind)).toEqual(summaries);
    expect(whole.items.slice(-2)).toEqual(summaries);
    for (const s of whole.items.filter((r) => r.kind)) expect(Object.keys(s).sort()).toEqual(['count', 'day', 'kind', 'orgId']);
    // No finer time: a millisecond's window on a hidden report shows the same whole-day summary, and only it.
    const at = hidden[0]!.reportedAt;
    const narrow = await page(`from=${at}&to=${new Date(Date.parse(at) + 1).toISOString()}`);
    expect(narrow.items).toEqual(summaries);
    // Filters apply to summaries too.
    expect((await page('from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z&orgId=twitter&action=list')).items)
      .toEqual([{ kind: 'restricted-summary', orgId: 'twitter', day: '2026-11-03', count: 1 }]);
    // A long window: a page sums up at most 31 days, then ends at a day's end; following the cursors gives the same rows.
    const first = await page('from=2026-10-01T00:00:00Z&to=2026-11-04T00:00:00Z');
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    expect((await all('from=2026-10-01T00:00:00Z&to=2026-11-04T00:00:00Z', 100)).rows).toEqual(whole.items);
    // Paging one row at a time gives the same rows, and no cursor carries a hidden entry's position.
    for (const limit of [1, 2, 3]) {
      const paged = await all('from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z', limit);
      expect(paged.rows).toEqual(whole.items);
      for (const c of paged.cursors) for (const h of hidden) expect(Buffer.from(c, 'base64url').toString('latin1')).not.toContain(h.reportedAt.slice(0, 19));
    }
  });
});
