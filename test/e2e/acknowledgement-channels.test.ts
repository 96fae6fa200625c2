/** Acknowledging by SMS reply and by emailed link, forged and expired tokens, unregistered phones. */
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';
import { ManualClock } from '../support/memory-repositories';

const clock = new ManualClock(Date.now());
let api: TestApi;
beforeAll(async () => { api = await startTestApi({ notifications: true, overrides: { clock } }); });
afterAll(() => api.stop());

// The test directory registers +12025550000 + index: fbi is +12025550000, cisa +12025550001, google +12025550003.
const FBI_PHONE = '+12025550000';
const GOOGLE_PHONE = '+12025550003';

async function reportedWithMessages(participants = ['fbi', 'cisa']) {
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants }));
  const messages = await eventually(() => {
    const m = api.outbox.messages.filter((x) => x.incidentId === incident.id);
    return m.length === participants.length + 1 && m;
  });
  const code = /Reply ACK (\d+)$/.exec(messages[0]!.sms)![1]!;
  return { incident, messages, code };
}

const sms = (originationNumber: string, messageBody: string) => api.call(null, 'POST', '/local/sms', { originationNumber, messageBody });
const get = async (id: string) => (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}`)).body;

describe('SMS', () => {
  it('ACK <code> from a participant\'s registered phone acknowledges for it, by the contact, via sms', async () => {
    const { incident, code } = await reportedWithMessages();
    const res = await sms(FBI_PHONE, `  ack ${code} `);
    expect(res.status).toBe(200);
    expect(res.body.replies[0]).toMatch(/^Concord: acknowledged for FBI/);
    expect((await get(incident.id)).acknowledgements).toEqual([{ orgId: 'fbi', by: 'fbi duty', via: 'sms', at: expect.any(String) }]);
    expect(api.outbox.messages.filter((m) => m.to === FBI_PHONE).at(-1)).toMatchObject({ orgId: null, sms: res.body.replies[0].slice(0, 140) });
    // Again: a no-op for the same organization.
    await sms(FBI_PHONE, `ACK ${code}`);
    expect((await get(incident.id)).version).toBe(2);
  });

  it.each([
    ['an unregistered phone', '+19995550123', (code: string) => `ACK ${code}`, /to acknowledge, reply ACK/],
    ['a phone of a non-participant', GOOGLE_PHONE, (code: string) => `ACK ${code}`, /no open incident of yours/],
    ['an unknown code', FBI_PHONE, () => 'ACK 000000', /no open incident of yours/],
    ['other words', FBI_PHONE, () => 'what is this?', /to acknowledge, reply ACK/],
  ])('%s gets a short help reply and changes nothing', async (_name, phone, body, reply) => {
    const { incident, code } = await reportedWithMessages();
    const res = await sms(phone, body(code));
    expect(res.body.replies[0]).toMatch(reply);
    expect(res.body.replies[0].length).toBeLessThanOrEqual(140);
    expect((await get(incident.id)).version).toBe(1);
  });

  it('a resolved incident\'s code no longer works', async () => {
    const { incident, code } = await reportedWithMessages();
    await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'done' });
    expect((await sms(FBI_PHONE, `ACK ${code}`)).body.replies[0]).toMatch(/no open incident/);
    expect((await get(incident.id)).acknowledgements).toEqual([]);
  });

  it.each([
    ['no space', (code: string) => `ack${code}`],
    ['spaces inside the code and around', (code: string) => ` Ack ${code.slice(0, 2)} ${code.slice(2)} `],
    ['tabs', (code: string) => `\tACK\t${code.split('').join('\t')}\t`],
    ['a space between every digit', (code: string) => `aCk ${code.split('').join(' ')}`],
  ])('ACK with %s acknowledges (spaces are ignored, digits only, any case)', async (_name, body) => {
    const { incident, code } = await reportedWithMessages();
    const res = await sms(FBI_PHONE, body(code));
    expect(res.body.replies[0]).toMatch(/^Concord: acknowledged for FBI/);
    expect((await get(incident.id)).acknowledgements).toEqual([{ orgId: 'fbi', by: 'fbi duty', via: 'sms', at: expect.any(String) }]);
  });

  it.each([
    ['letters in the code', (code: string) => `ACK ${code.slice(0, 2)}x${code.slice(2)}`],
    ['a word before', (code: string) => `please ACK ${code}`],
    ['another word', (code: string) => `ACKNOWLEDGE ${code}`],
    ['punctuation', (code: string) => `ACK #${code}`],
  ])('still answers %s with the help reply and changes nothing', async (_name, body) => {
    const { incident, code } = await reportedWithMessages();
    expect((await sms(FBI_PHONE, body(code))).body.replies[0]).toMatch(/to acknowledge, reply ACK/);
    expect((await get(incident.id)).version).toBe(1);
  });

  describe('a phone registered to two organizations (fbi and cisa)', () => {
    const SHARED = '+12025559999';
    beforeAll(async () => {
      for (const org of ['fbi', 'cisa']) {
        const { body } = await api.call(KEYS.admin, 'GET', '/v1/organizations');
        const current = body.items.find((o: { id: string }) => o.id === org);
        const res = await api.call(KEYS.admin, 'PUT', `/v1/organizations/${org}`, {
          name: current.name, kind: current.kind, contacts: [...current.contacts, { name: `${org} night desk`, phone: SHARED }],
        });
        expect(res.status).toBe(200);
      }
    });

    it('acknowledges for the organization that participates in the code\'s incident, not the first one', async () => {
      const { incident, code } = await reportedWithMessages(['cisa']);
      const res = await sms(SHARED, `ACK ${code}`);
      expect(res.body.replies[0]).toMatch(/^Concord: acknowledged for CISA:/);
      expect((await get(incident.id)).acknowledgements).toEqual([{ orgId: 'cisa', by: 'cisa night desk', via: 'sms', at: expect.any(String) }]);
    });

    it('acknowledges for each of its organizations that participates and has not acknowledged yet, in id order', async () => {
      const { incident, code } = await reportedWithMessages(['fbi', 'cisa']);
      await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/acknowledge`, { by: 'fbi analyst' });
      const first = await sms(SHARED, `ACK ${code}`);
      expect(first.body.replies[0]).toMatch(/^Concord: acknowledged for CISA:/);
      expect((await get(incident.id)).acknowledgements.map((a: { orgId: string; by: string }) => [a.orgId, a.by])).toEqual([['fbi', 'fbi analyst'], ['cisa', 'cisa night desk']]);

      const both = await reportedWithMessages(['fbi', 'cisa']);
      const res = await sms(SHARED, `ack ${both.code}`);
      expect(res.body.replies[0]).toMatch(/^Concord: acknowledged for CISA, FBI:/);
      expect(res.body.replies[0].length).toBeLessThanOrEqual(140);
      const incident2 = await get(both.incident.id);
      expect(incident2.acknowledgements.map((a: { orgId: string; by: string; via: string }) => [a.orgId, a.by, a.via])).toEqual([['cisa', 'cisa night desk', 'sms'], ['fbi', 'fbi night desk', 'sms']]);
      // Again: nothing more to do.
      await sms(SHARED, `ACK ${both.code}`);
      expect((await get(both.incident.id)).version).toBe(incident2.version);
    });

    it('answers the code of an incident none of its organizations is in exactly like an unknown code', async () => {
      const { incident, code } = await reportedWithMessages(['google']);
      const reply = (await sms(SHARED, `ACK ${code}`)).body.replies[0];
      const unknown = (await sms(SHARED, 'ACK 000000')).body.replies[0];
      expect(reply).toBe(unknown.replace('000000', code));
      expect((await get(incident.id)).version).toBe(1);
    });
  });

  it('refuses a body that is not an inbound SMS', async () => {
    const res = await api.call(null, 'POST', '/local/sms', { from: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['messageBody', 'originationNumber']);
  });
});

describe('email links', () => {
  const linkFor = (messages: Array<{ orgId: string | null; email: { body: string } | null }>, orgId: string) =>
    /(http:\/\/\S+\/v1\/ack\/\S+)/.exec(messages.find((m) => m.orgId === orgId)!.email!.body)![1]!.replace(/^http:\/\/localhost:\d+/, '');

  it('GET shows the incident and changes nothing; POST acknowledges by the contact via email; a repeat is friendly', async () => {
    const { incident, messages } = await reportedWithMessages();
    const path = linkFor(messages, 'cisa');
    const page = await api.call(null, 'GET', path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain(incident.title);
    expect(page.text).toContain('<form method="post">');
    expect((await get(incident.id)).version).toBe(1);

    const done = await api.call(null, 'POST', path);
    expect(done.status).toBe(200);
    expect(done.text).toContain('Acknowledged for <strong>CISA</strong>');
    expect((await get(incident.id)).acknowledgements).toEqual([{ orgId: 'cisa', by: 'cisa duty', via: 'email', at: expect.any(String) }]);
    const again = await api.call(null, 'POST', path);
    expect(again.status).toBe(200);
    expect(again.text).toContain('had already acknowledged');
    expect((await get(incident.id)).version).toBe(2);
  });

  it('refuses tampered and expired links with 403, changing nothing', async () => {
    const { incident, messages } = await reportedWithMessages();
    const path = linkFor(messages, 'fbi');
    const [payload, signature] = path.split('/').at(-1)!.split('.');
    const forgedPayload = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('"fbi"', '"cisa"')).toString('base64url');
    for (const bad of [`/v1/ack/${forgedPayload}.${signature}`, `/v1/ack/${payload}.${signature!.slice(0, -2)}xx`, '/v1/ack/nonsense']) {
      expect((await api.call(null, 'POST', bad)).status).toBe(403);
      expect((await api.call(null, 'GET', bad)).status).toBe(403);
    }
    clock.advance(24 * 3600 + 1);
    const expired = await api.call(null, 'POST', path);
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('expired');
    expect((await get(incident.id)).acknowledgements).toEqual([]);
  });
});
