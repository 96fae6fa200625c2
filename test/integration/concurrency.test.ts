/**
 * Races against the real engine: conditions in DynamoDB, not luck, keep every update.
 * Through the HTTP server, so handler, authorizer and repository are all in the path.
 */
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
beforeAll(async () => { api = await startTestApi(); });
afterAll(() => api.stop());

const orgs = ['fbi', 'cisa', 'google', 'twitter', 'odni'] as const;

it('20 concurrent acknowledgements from 5 organizations: 5 acknowledgements, one acknowledgedAt, all in the timeline', async () => {
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: [...orgs] }));
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    api.call(KEYS.partner[orgs[i % 5]!], 'POST', `/v1/incidents/${incident.id}/acknowledge`, { by: `responder ${i}` })));
  expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));

  const { body: final } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}`);
  expect(final.acknowledgements.map((a: { orgId: string }) => a.orgId).sort()).toEqual([...orgs].sort());
  expect(final.version).toBe(6);
  expect(final.acknowledgedAt).toBe(final.acknowledgements[0].at);
  expect(final.status).toBe('acknowledged');

  const { body: { events } } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}/timeline`);
  expect(events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(events.filter((e: { type: string }) => e.type === 'acknowledged').map((e: { actor: { orgId: string } }) => e.actor.orgId).sort()).toEqual([...orgs].sort());
});

it('concurrent reports with one dedupKey create exactly one incident', async () => {
  const replies = await Promise.all(Array.from({ length: 12 }, () =>
    api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ dedupKey: 'race-1' }))));
  const ids = new Set(replies.map((r) => r.body.id));
  expect(ids.size).toBe(1);
  expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
  expect(replies.filter((r) => r.status === 200)).toHaveLength(11);
});

it('racing resolve and acknowledge: resolve wins once, later commands get 409, nothing is lost', async () => {
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa'] }));
  const path = `/v1/incidents/${incident.id}`;
  const replies = await Promise.all([
    api.call(KEYS.partner.facebook, 'POST', `${path}/resolve`, { resolution: 'a' }),
    api.call(KEYS.partner.fbi, 'POST', `${path}/resolve`, { resolution: 'b' }),
    api.call(KEYS.partner.cisa, 'POST', `${path}/acknowledge`),
    api.call(KEYS.partner.fbi, 'POST', `${path}/notes`, { text: 'n' }),
  ]);
  const resolves = replies.slice(0, 2).map((r) => r.status).sort();
  expect(resolves).toEqual([200, 409]);
  const { body: { events } } = await api.call(KEYS.partner.facebook, 'GET', `${path}/timeline`);
  const { body: final } = await api.call(KEYS.partner.facebook, 'GET', path);
  expect(events.filter((e: { type: string }) => e.type === 'resolved')).toHaveLength(1);
  expect(final.version).toBe(events.length);
  expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
});

it('10 concurrent PATCHes with the same If-Match: exactly one 200, the other nine 412, and one `updated` event', async () => {
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
  const replies = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    api.call(KEYS.partner.facebook, 'PATCH', `/v1/incidents/${incident.id}`, { title: `title ${i}` }, { 'if-match': '"1"' })));
  expect(replies.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(412)]);
  const winner = replies.find((r) => r.status === 200)!;
  expect(replies.filter((r) => r.status === 412).every((r) => r.headers.get('etag') === '"2"')).toBe(true);
  const { body: final } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}`);
  expect(final).toMatchObject({ version: 2, title: winner.body.title });
  const { body: { events } } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}/timeline`);
  expect(events.filter((e: { type: string }) => e.type === 'updated')).toHaveLength(1);
});

it('racing invite and resolve: either the invite lands before the resolve or is refused with 409; nothing is lost', async () => {
  for (let round = 0; round < 5; round++) {
    const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'] }));
    const [invited, resolved] = await Promise.all([
      api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${incident.id}/participants`, { orgIds: ['twitter'] }),
      api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'done' }),
    ]);
    expect(resolved.status).toBe(200);
    expect([200, 409]).toContain(invited.status);
    const { body: final } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}`);
    const { body: { events } } = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}/timeline`);
    const types = events.map((e: { type: string }) => e.type);
    if (invited.status === 200) {
      expect(final).toMatchObject({ status: 'resolved', version: 3, participants: ['facebook', 'fbi', 'twitter'] });
      expect(types).toEqual(['reported', 'participants_added', 'resolved']);
      // The participation entry was written with the invite: twitter lists it.
      const list = await api.call(KEYS.partner.twitter, 'GET', '/v1/incidents?limit=100');
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(incident.id);
    } else {
      expect(final).toMatchObject({ status: 'resolved', version: 2, participants: ['facebook', 'fbi'] });
      expect(types).toEqual(['reported', 'resolved']);
    }
  }
});
