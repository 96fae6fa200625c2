/**
 * Coordination (#23): invite, edit, reopen, status updates, links — through the HTTP API on the
 * local server, with notifications and audit entries as the existing commands have them.
 */
import { handler as timers } from '../../lambdas/handlers/escalate-incidents';
import { ManualClock } from '../support/memory-repositories';
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

const clock = new ManualClock(Date.parse('2026-11-03T12:00:00.000Z'));
let api: TestApi;
beforeAll(async () => { api = await startTestApi({ notifications: true, overrides: { clock, pause: async () => {} } }); });
afterAll(() => api.stop());

const P = KEYS.partner;
const create = async (key: string, overrides: Record<string, unknown> = {}) => {
  const { status, body } = await api.call(key, 'POST', '/v1/incidents', report(overrides));
  expect(status).toBe(201);
  return body;
};
const get = (key: string, id: string) => api.call(key, 'GET', `/v1/incidents/${id}`);
const timeline = async (key: string, id: string) => (await api.call(key, 'GET', `/v1/incidents/${id}/timeline`)).body.events as Array<{ type: string; data: any; actor: any }>;
const auditOf = async (key: string, id: string) => (await api.call(key, 'GET', `/v1/incidents/${id}/audit`)).body.items as Array<{ action: string; outcome: string }>;
const outboxFor = (id: string) => api.outbox.messages.filter((m) => m.incidentId === id);
/** The timeline without the notifier's entries, which land whenever its stream gets to them. */
const commandsOnly = <T extends { type: string }>(events: T[]) => events.filter((e) => !['notified', 'notification_failed'].includes(e.type));

describe('invite', () => {
  it('the reporter brings an organization into an AMBER incident: version + 1, timeline participants_added, the new one notified as on a report and listing it', async () => {
    const incident = await create(P.facebook, { participants: ['fbi'] });
    const res = await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter'], note: 'Same accounts seen there.' });
    expect(res.status).toBe(200);
    expect(res.body.participants).toEqual(['facebook', 'fbi', 'twitter']);
    expect(res.body.version).toBe(2);
    expect(res.headers.get('etag')).toBe('"2"');
    const events = await timeline(P.twitter, incident.id);
    expect(events.find((e) => e.type === 'participants_added')).toMatchObject({ data: { orgIds: ['twitter'], note: 'Same accounts seen there.' }, actor: { orgId: 'facebook' } });
    await eventually(() => outboxFor(incident.id).some((m) => m.orgId === 'twitter'));
    const told = outboxFor(incident.id).filter((m) => m.orgId === 'twitter');
    expect(told).toHaveLength(1);
    expect(told[0]!.sms).toMatch(/Reply ACK \d{4}/);
    // The participation index entry was written with the change: twitter's list shows it.
    const list = await api.call(P.twitter, 'GET', '/v1/incidents?limit=100');
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(incident.id);
    expect((await auditOf(P.facebook, incident.id)).some((e) => e.action === 'invite' && e.outcome === 'allowed')).toBe(true);
  });

  it('already a participant: no-op 200 with the same version', async () => {
    const incident = await create(P.facebook, { participants: ['fbi'] });
    const res = await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['fbi', 'facebook'] });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect((await timeline(P.facebook, incident.id)).some((e) => e.type === 'participants_added')).toBe(false);
  });

  it.each(['AMBER', 'AMBER+STRICT', 'RED'])('%s: only the reporter\'s organization may invite (403, recorded as denied, nothing changed)', async (tlp) => {
    const incident = await create(P.facebook, { participants: ['fbi'], tlp });
    const res = await api.call(P.fbi, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter'] });
    expect(res.status).toBe(403);
    expect((await get(P.facebook, incident.id)).body).toMatchObject({ version: 1, participants: ['facebook', 'fbi'] });
    expect((await auditOf(P.facebook, incident.id)).some((e) => e.action === 'invite' && e.outcome === 'denied')).toBe(true);
    // An organization outside it cannot even find it, nor add itself.
    expect((await api.call(P.twitter, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter'] })).status).toBe(404);
  });

  it.each(['GREEN', 'CLEAR'])('%s: any participant may invite, and any organization may add itself (but not others)', async (tlp) => {
    const incident = await create(P.facebook, { participants: ['fbi'], tlp });
    expect((await api.call(P.fbi, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['google'] })).status).toBe(200);
    // #23: Twitter may read a GREEN or CLEAR incident (the community's), so it is not 404; only participants invite others.
    expect((await api.call(P.twitter, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter', 'odni'] })).status).toBe(403);
    const self = await api.call(P.twitter, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter'] });
    expect(self.status).toBe(200);
    expect(self.body.participants).toEqual(['facebook', 'fbi', 'google', 'twitter']);
    expect(self.body.version).toBe(3);
  });

  it('an unknown organization is a 400 naming it, and a resolved incident a 409; nothing changes', async () => {
    const incident = await create(P.facebook);
    const bad = await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter', 'no-such-org'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'orgIds.1', message: expect.stringContaining('no-such-org') }]);
    await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'done' });
    const resolved = await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter'] });
    expect(resolved.status).toBe(409);
    expect((await get(P.facebook, incident.id)).body).toMatchObject({ version: 2, participants: ['facebook'] });
  });
});

describe('edit', () => {
  it('merge-patches the editable fields: timeline updated with from/to, version + 1, ETag on every incident answer', async () => {
    const incident = await create(P.facebook, { participants: ['fbi'], description: 'first', links: [{ href: 'https://example.org/a' }] });
    expect((await get(P.fbi, incident.id)).headers.get('etag')).toBe('"1"');
    const res = await api.call(P.fbi, 'PATCH', `/v1/incidents/${incident.id}`, { title: 'Corrected title', severity: 'high', description: null, links: null }, { 'if-match': '"1"' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'Corrected title', severity: 'high', description: null, links: [], version: 2 });
    expect(res.headers.get('etag')).toBe('"2"');
    const updated = (await timeline(P.fbi, incident.id)).find((e) => e.type === 'updated')!;
    expect(updated.data.changes).toEqual({
      title: { from: incident.title, to: 'Corrected title' },
      description: { from: 'first', to: null },
      severity: { from: 'critical', to: 'high' },
      links: { from: [{ href: 'https://example.org/a' }], to: [] },
    });
    expect((await auditOf(P.fbi, incident.id)).some((e) => e.action === 'edit' && e.outcome === 'allowed')).toBe(true);
  });

  it('a stale If-Match is a 412 with the current ETag; a narrower TLP hides it from managers from then on', async () => {
    const incident = await create(P.facebook, { participants: ['fbi'] });
    expect((await get(KEYS.manager.cisa, incident.id)).status).toBe(200);
    const stale = await api.call(P.facebook, 'PATCH', `/v1/incidents/${incident.id}`, { tlp: 'RED' }, { 'if-match': '"7"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"1"');
    const narrowed = await api.call(P.facebook, 'PATCH', `/v1/incidents/${incident.id}`, { tlp: 'RED' }, { 'if-match': '"1"' });
    expect(narrowed.status).toBe(200);
    expect((await get(KEYS.manager.cisa, incident.id)).status).toBe(404);
    const list = await api.call(KEYS.manager.cisa, 'GET', '/v1/incidents?limit=100');
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(incident.id);
    const widened = await api.call(P.facebook, 'PATCH', `/v1/incidents/${incident.id}`, { tlp: 'AMBER' });
    expect(widened.status).toBe(200);
    expect((await get(KEYS.manager.cisa, incident.id)).status).toBe(200);
  });

  it('takes the body as application/merge-patch+json too, and the STIX export shows the change as a new version (modified)', async () => {
    const incident = await create(P.facebook);
    const before = (await api.call(P.facebook, 'GET', `/v1/incidents/${incident.id}/stix`)).body.objects.find((o: { type: string }) => o.type === 'incident');
    clock.advance(60);
    const res = await api.call(P.facebook, 'PATCH', `/v1/incidents/${incident.id}`, { title: 'Merge-patched' }, { 'content-type': 'application/merge-patch+json' });
    expect(res.status).toBe(200);
    const after = (await api.call(P.facebook, 'GET', `/v1/incidents/${incident.id}/stix`)).body.objects.find((o: { type: string }) => o.type === 'incident');
    expect(after.name).toBe('Merge-patched');
    expect(after.modified > before.modified).toBe(true);
    expect(after.modified).toBe(clock.now().toISOString());
  });

  it('tlp only by the reporter\'s organization (403, recorded as denied)', async () => {
    const incident = await create(P.facebook, { participants: ['fbi'] });
    const res = await api.call(P.fbi, 'PATCH', `/v1/incidents/${incident.id}`, { tlp: 'GREEN' });
    expect(res.status).toBe(403);
    expect((await get(P.facebook, incident.id)).body).toMatchObject({ tlp: 'AMBER', version: 1 });
    expect((await auditOf(P.facebook, incident.id)).some((e) => e.action === 'edit' && e.outcome === 'denied')).toBe(true);
  });

  it('a severity change re-plans escalation', async () => {
    const incident = await create(P.google, { severity: 'low' });
    await api.call(P.google, 'PATCH', `/v1/incidents/${incident.id}`, { severity: 'critical' });
    clock.advance(5 * 60);
    await timers();
    expect((await timeline(P.google, incident.id)).some((e) => e.type === 'escalated')).toBe(true);
  });
});

describe('reopen', () => {
  it('back to the status it had before resolve, resolvedAt and resolution cleared, timeline reopened', async () => {
    const incident = await create(P.facebook, { participants: ['fbi'] });
    await api.call(P.fbi, 'POST', `/v1/incidents/${incident.id}/acknowledge`, {});
    await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'taken down' });
    const res = await api.call(P.fbi, 'POST', `/v1/incidents/${incident.id}/reopen`, { reason: 'The accounts are back.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'acknowledged', resolvedAt: null, resolution: null, version: 4 });
    expect(commandsOnly(await timeline(P.fbi, incident.id)).at(-1)).toMatchObject({ type: 'reopened', data: { reason: 'The accounts are back.', previousResolution: 'taken down' } });
    // Resolving again is allowed once more.
    expect((await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'again' })).status).toBe(200);
  });

  it('an open incident, or one resolved more than 30 days ago, is a 409 and changes nothing', async () => {
    const incident = await create(P.facebook);
    expect((await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/reopen`, { reason: 'x' })).status).toBe(409);
    await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'done' });
    clock.advance(30 * 86400 + 1);
    const late = await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/reopen`, { reason: 'x' });
    expect(late.status).toBe(409);
    expect(late.body.currentStatus).toBe('resolved');
    expect((await get(P.facebook, incident.id)).body).toMatchObject({ status: 'resolved', version: 2 });
  });
});

describe('status updates', () => {
  it('201 the event; the incident shows lastUpdate and nextUpdateDueAt; the others are notified; one reminder when it passes', async () => {
    const incident = await create(P.facebook, { participants: ['fbi', 'cisa'] });
    await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/assign`, { orgId: 'cisa' });
    const res = await api.call(P.fbi, 'POST', `/v1/incidents/${incident.id}/updates`, { summary: 'Accounts identified', phase: 'identified', nextUpdateInMinutes: 30 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'status_update', data: { summary: 'Accounts identified', phase: 'identified' } });
    const due = new Date(clock.now().getTime() + 30 * 60_000).toISOString();
    const { body } = await get(P.fbi, incident.id);
    expect(body).toMatchObject({ lastUpdate: { summary: 'Accounts identified', phase: 'identified', actor: { orgId: 'fbi' } }, nextUpdateDueAt: due, version: 3 });
    await eventually(() => outboxFor(incident.id).filter((m) => m.email?.subject.includes('Update from FBI')).length === 2);

    clock.advance(29 * 60);
    await timers();
    expect((await timeline(P.fbi, incident.id)).some((e) => e.type === 'update_due')).toBe(false);
    clock.advance(60);
    await timers();
    await timers();
    const reminders = (await timeline(P.fbi, incident.id)).filter((e) => e.type === 'update_due');
    expect(reminders).toEqual([expect.objectContaining({ data: expect.objectContaining({ dueAt: due, orgId: 'cisa' }) })]);
    await eventually(() => outboxFor(incident.id).some((m) => m.orgId === 'cisa' && m.email?.subject.includes('Status update overdue')));
    expect(outboxFor(incident.id).filter((m) => m.email?.subject.includes('Status update overdue')).map((m) => m.orgId)).toEqual(['cisa']);
    expect((await get(P.fbi, incident.id)).body.version).toBe(3);
  });

  it('without an assignee, the reminder goes to the reporter\'s organization', async () => {
    const incident = await create(P.facebook, { participants: ['fbi'] });
    await api.call(P.fbi, 'POST', `/v1/incidents/${incident.id}/updates`, { summary: 'Looking', nextUpdateInMinutes: 5 });
    clock.advance(5 * 60);
    await timers();
    expect((await timeline(P.fbi, incident.id)).filter((e) => e.type === 'update_due').map((e) => e.data.orgId)).toEqual(['facebook']);
    await eventually(() => outboxFor(incident.id).some((m) => m.email?.subject.includes('Status update overdue')));
    expect(outboxFor(incident.id).filter((m) => m.email?.subject.includes('Status update overdue')).map((m) => m.orgId)).toEqual(['facebook']);
  });

  it('a newer update replaces the due time; a resolved incident gets no reminder and refuses updates (409)', async () => {
    const incident = await create(P.facebook);
    await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/updates`, { summary: 'first', nextUpdateInMinutes: 5 });
    clock.advance(4 * 60);
    await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/updates`, { summary: 'second', nextUpdateInMinutes: 10 });
    clock.advance(2 * 60);
    await timers();
    expect((await timeline(P.facebook, incident.id)).some((e) => e.type === 'update_due')).toBe(false);
    await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'done' });
    clock.advance(20 * 60);
    await timers();
    expect((await timeline(P.facebook, incident.id)).some((e) => e.type === 'update_due')).toBe(false);
    expect((await get(P.facebook, incident.id)).body.nextUpdateDueAt).toBeNull();
    expect((await api.call(P.facebook, 'POST', `/v1/incidents/${incident.id}/updates`, { summary: 'late' })).status).toBe(409);
  });
});

describe('links', () => {
  it('related and duplicate between incidents the caller sees; duplicate resolves; related lists only what the viewer may see', async () => {
    const a = await create(P.facebook, { participants: ['fbi'] });
    const b = await create(P.fbi, { participants: ['twitter'] });
    const linked = await api.call(P.fbi, 'POST', `/v1/incidents/${a.id}/links`, { incidentId: b.id, relation: 'related' });
    expect(linked.status).toBe(201);
    expect(linked.body.related).toEqual([{ incidentId: b.id, relation: 'related' }]);
    expect(linked.body.version).toBe(2);
    // facebook may not see b: a's answer to facebook does not name it.
    expect((await get(P.facebook, a.id)).body.related).toEqual([]);
    expect((await api.call(P.facebook, 'GET', '/v1/incidents?limit=100')).body.items.find((i: { id: string }) => i.id === a.id).related).toEqual([]);
    // Again: nothing changes.
    const again = await api.call(P.fbi, 'POST', `/v1/incidents/${a.id}/links`, { incidentId: b.id, relation: 'related' });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);

    const dup = await api.call(P.fbi, 'POST', `/v1/incidents/${b.id}/links`, { incidentId: a.id, relation: 'duplicate' });
    expect(dup.status).toBe(201);
    expect(dup.body).toMatchObject({ status: 'resolved', resolution: `Duplicate of ${a.id}`, related: [{ incidentId: a.id, relation: 'duplicate' }] });
    // The notifier appends its `notified` events whenever the stream delivers: the commands' own events are compared.
    expect(commandsOnly(await timeline(P.fbi, b.id)).slice(-2).map((e) => e.type)).toEqual(['linked', 'resolved']);

    clock.advance(1);
    expect((await api.call(P.fbi, 'DELETE', `/v1/incidents/${a.id}/links/${b.id}`)).status).toBe(204);
    expect((await get(P.fbi, a.id)).body).toMatchObject({ related: [], version: 3 });
    expect(commandsOnly(await timeline(P.fbi, a.id)).at(-1)).toMatchObject({ type: 'unlinked', data: { incidentId: b.id, relation: 'related' } });
    expect((await auditOf(P.fbi, a.id)).filter((e) => ['link', 'unlink'].includes(e.action)).map((e) => e.action)).toEqual(['link', 'unlink']);
  });

  it('refuses a link to itself (400), a cycle of duplicates (400), and an incident the caller may not see (404)', async () => {
    const a = await create(P.facebook, { participants: ['fbi'] });
    const b = await create(P.facebook, { participants: ['fbi'] });
    const hidden = await create(P.google);
    const self = await api.call(P.facebook, 'POST', `/v1/incidents/${a.id}/links`, { incidentId: a.id, relation: 'related' });
    expect(self.status).toBe(400);
    expect(self.body.errors).toEqual([{ path: 'incidentId', message: 'is this incident' }]);
    expect((await api.call(P.facebook, 'POST', `/v1/incidents/${a.id}/links`, { incidentId: hidden.id, relation: 'related' })).status).toBe(404);
    expect((await api.call(P.facebook, 'POST', `/v1/incidents/${a.id}/links`, { incidentId: b.id, relation: 'duplicate' })).status).toBe(201);
    await api.call(P.facebook, 'POST', `/v1/incidents/${a.id}/reopen`, { reason: 'check the cycle rule on an open incident' });
    const cycle = await api.call(P.facebook, 'POST', `/v1/incidents/${b.id}/links`, { incidentId: a.id, relation: 'duplicate' });
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors[0].path).toBe('incidentId');
    expect((await get(P.facebook, b.id)).body).toMatchObject({ status: 'reported', version: 1, related: [] });
    expect((await api.call(P.facebook, 'DELETE', `/v1/incidents/${a.id}/links/${hidden.id}`)).status).toBe(404);
  });
});

describe('bad input: a 4xx naming the field, and nothing changes', () => {
  const cases: Array<[string, string, (id: string) => string, unknown, Record<string, string>, number, string]> = [
    ['invite: no organizations', 'POST', (id) => `/v1/incidents/${id}/participants`, { orgIds: [] }, {}, 400, 'orgIds'],
    ['invite: not an organization id', 'POST', (id) => `/v1/incidents/${id}/participants`, { orgIds: ['Not An Id'] }, {}, 400, 'orgIds.0'],
    ['invite: unknown field', 'POST', (id) => `/v1/incidents/${id}/participants`, { orgIds: ['fbi'], role: 'x' }, {}, 400, 'role'],
    ['edit: unknown field', 'PATCH', (id) => `/v1/incidents/${id}`, { status: 'resolved' }, {}, 400, 'status'],
    ['edit: empty patch', 'PATCH', (id) => `/v1/incidents/${id}`, {}, {}, 400, 'body'],
    ['edit: changes nothing', 'PATCH', (id) => `/v1/incidents/${id}`, { severity: 'critical' }, {}, 400, 'severity'],
    ['edit: removing the title', 'PATCH', (id) => `/v1/incidents/${id}`, { title: null }, {}, 400, 'title'],
    ['edit: a control character in the title', 'PATCH', (id) => `/v1/incidents/${id}`, { title: 'a\u0000b' }, {}, 400, 'title'],
    ['edit: a bidi control in the title', 'PATCH', (id) => `/v1/incidents/${id}`, { title: 'Invoice \u202efdp.exe' }, {}, 400, 'title'],
    ['edit: If-Match that is not a version', 'PATCH', (id) => `/v1/incidents/${id}`, { title: 'x' }, { 'if-match': 'yesterday' }, 400, 'If-Match'],
    ['edit: unknown severity', 'PATCH', (id) => `/v1/incidents/${id}`, { severity: 'urgent' }, {}, 400, 'severity'],
    ['reopen: no reason', 'POST', (id) => `/v1/incidents/${id}/reopen`, {}, {}, 400, 'reason'],
    ['update: empty summary', 'POST', (id) => `/v1/incidents/${id}/updates`, { summary: '' }, {}, 400, 'summary'],
    ['update: a line break in the summary (one line for everyone)', 'POST', (id) => `/v1/incidents/${id}/updates`, { summary: 'a\nb' }, {}, 400, 'summary'],
    ['update: summary too long', 'POST', (id) => `/v1/incidents/${id}/updates`, { summary: 'x'.repeat(2001) }, {}, 400, 'summary'],
    ['update: unknown phase', 'POST', (id) => `/v1/incidents/${id}/updates`, { summary: 'x', phase: 'done' }, {}, 400, 'phase'],
    ['update: next update too soon', 'POST', (id) => `/v1/incidents/${id}/updates`, { summary: 'x', nextUpdateInMinutes: 4 }, {}, 400, 'nextUpdateInMinutes'],
    ['update: next update too late', 'POST', (id) => `/v1/incidents/${id}/updates`, { summary: 'x', nextUpdateInMinutes: 1441 }, {}, 400, 'nextUpdateInMinutes'],
    ['link: not an incident id', 'POST', (id) => `/v1/incidents/${id}/links`, { incidentId: 'inc_nope', relation: 'related' }, {}, 400, 'incidentId'],
    ['link: unknown relation', 'POST', (id) => `/v1/incidents/${id}/links`, { incidentId: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF', relation: 'sibling' }, {}, 400, 'relation'],
  ];
  it.each(cases)('%s', async (_, method, path, body, headers, status, field) => {
    const incident = await create(P.facebook, { participants: ['fbi'] });
    const res = await api.call(P.facebook, method, path(incident.id), body, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    const after = (await get(P.facebook, incident.id)).body;
    expect(after.version).toBe(1);
    expect((await timeline(P.facebook, incident.id)).filter((e) => !['notified', 'notification_failed'].includes(e.type)).map((e) => e.type)).toEqual(['reported']);
  });
});
