/** Acknowledging by SMS reply and by emailed link, forged and expired tokens, unregistered phones. */
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';
import { ManualClock } from '../support/memory-repositories';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler as getAckPageHandler } from '../../lambdas/handlers/get-ack-page';
import { handler as postAckHandler } from '../../lambdas/handlers/post-ack';
import { ackTokens } from '../../lambdas/wiring/ack-tokens';

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
        // As the operator (or each organization's own admin) would: another organization's admin may not.
        const res = await api.services.directory.putOrganization(org, {
          name: current.name, kind: current.kind, contacts: [...current.contacts, { name: `${org} night desk`, phone: SHARED }],
        });
        expect(res.created).toBe(false);
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

describe('SMS: guessing and repeats (#22 item 6)', () => {
  const TWITTER_PHONE = '+12025550004';
  const CISA_PHONE = '+12025550001';
  /** A wrong code: 7 digits, a length no incident's code has (4–6, RED 8–9), so it never hits another open incident. */
  const wrong = (_code: string, i: number) => String(1_000_000 + i);

  it('#22-6: at most 10 ACK attempts per phone in 10 minutes; past that a right code changes nothing and the reply says to wait', async () => {
    clock.advance(601); // a phone that has not texted for 10 minutes
    const { incident, code } = await reportedWithMessages(['google']);
    for (let i = 0; i < 10; i++) expect((await sms(GOOGLE_PHONE, `ACK ${wrong(code, i)}`)).body.replies[0]).toMatch(/no open incident of yours/);
    const refused = (await sms(GOOGLE_PHONE, `ACK ${code}`)).body.replies[0];
    expect(refused).toMatch(/wait/i);
    expect(refused.length).toBeLessThanOrEqual(140);
    expect(refused).not.toContain(incident.title);
    expect((await get(incident.id)).version).toBe(1);
    // Other words are not attempts: still the help reply.
    expect((await sms(GOOGLE_PHONE, 'what is this?')).body.replies[0]).toMatch(/to acknowledge, reply ACK/);
    // Still refused until ten minutes after those attempts (refusals do not count, nor lengthen the wait).
    clock.advance(599);
    expect((await sms(GOOGLE_PHONE, `ACK ${code}`)).body.replies[0]).toMatch(/wait/i);
    expect((await get(incident.id)).version).toBe(1);
    // Ten minutes after those attempts, the right code acknowledges.
    clock.advance(2);
    expect((await sms(GOOGLE_PHONE, `ACK ${code}`)).body.replies[0]).toMatch(/^Concord: acknowledged for GOOGLE/);
  });

  it('#22-6: concurrent attempts from one phone: exactly 10 are heard', async () => {
    clock.advance(601);
    const { incident, code } = await reportedWithMessages(['cisa']);
    const replies = (await Promise.all(Array.from({ length: 25 }, (_, i) => sms(CISA_PHONE, `ACK ${wrong(code, i)}`)))).map((r) => r.body.replies[0] as string);
    expect(replies.filter((r) => /no open incident of yours/.test(r))).toHaveLength(10);
    expect(replies.filter((r) => /wait/i.test(r))).toHaveLength(15);
    expect((await sms(CISA_PHONE, `ACK ${code}`)).body.replies[0]).toMatch(/wait/i);
    expect((await get(incident.id)).acknowledgements).toEqual([]);
  });

  it('#22-6: a RED incident\'s code is 8 digits, and its SMS still fits 140 characters', async () => {
    clock.advance(601);
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['twitter'], title: 'A very long title '.repeat(11).trim() }));
    const messages = await eventually(() => {
      const m = api.outbox.messages.filter((x) => x.incidentId === red.id);
      return m.length === 2 && m;
    });
    for (const m of messages) {
      expect(m.sms.length).toBeLessThanOrEqual(140);
      expect(m.sms).toMatch(/ Reply ACK \d{8}$/);
    }
    const code = /Reply ACK (\d+)$/.exec(messages.find((m) => m.orgId === 'twitter')!.sms)![1]!;
    expect((await sms(TWITTER_PHONE, `ACK ${code.slice(0, 4)}`)).body.replies[0]).toMatch(/no open incident of yours/);
    expect((await sms(TWITTER_PHONE, `ACK ${code}`)).body.replies[0]).toMatch(/^Concord: acknowledged for TWITTER/);
    // Other incidents keep their short codes.
    const { code: amber } = await reportedWithMessages(['twitter']);
    expect(amber).toMatch(/^\d{4}$/);
  });

  it('#22-6: a repeated ACK answers "already acknowledged", and changes nothing', async () => {
    clock.advance(601);
    const { incident, code } = await reportedWithMessages(['twitter']);
    expect((await sms(TWITTER_PHONE, `ACK ${code}`)).body.replies[0]).toMatch(/^Concord: acknowledged for TWITTER/);
    const version = (await get(incident.id)).version;
    const again = (await sms(TWITTER_PHONE, `ack ${code}`)).body.replies[0] as string;
    expect(again).toMatch(/^Concord: already acknowledged for TWITTER/);
    expect(again.length).toBeLessThanOrEqual(140);
    expect((await get(incident.id)).version).toBe(version);
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

describe('acknowledgement pages: state shown, and every answer HTML', () => {
  const linkFor = (messages: Array<{ orgId: string | null; email: { body: string } | null }>, orgId: string) =>
    /(http:\/\/\S+\/v1\/ack\/\S+)/.exec(messages.find((m) => m.orgId === orgId)!.email!.body)![1]!.replace(/^http:\/\/localhost:\d+/, '');
  const HTML = 'text/html; charset=utf-8';
  /** What every ack page carries, the error pages included. */
  function expectAckPage(res: { status: number; headers: Headers; text: string }, status: number) {
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: HTML });
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.text).toMatch(/^<!doctype html>/);
  }

  it('GET of a resolved incident says so, with no button; POST answers 409 as HTML and changes nothing', async () => {
    const { incident, messages } = await reportedWithMessages();
    const path = linkFor(messages, 'cisa');
    await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'done' });
    const page = await api.call(null, 'GET', path);
    expectAckPage(page, 200);
    expect(page.text).toContain(incident.title);
    expect(page.text).toMatch(/is resolved/);
    expect(page.text).not.toMatch(/<form|<button/);
    const post = await api.call(null, 'POST', path);
    expectAckPage(post, 409);
    expect(post.text).toMatch(/is resolved/);
    expect(post.text).not.toMatch(/<form|<button/);
    expect((await get(incident.id)).acknowledgements).toEqual([]);
  });

  it('GET after the organization acknowledged says so, with no button', async () => {
    const { incident, messages } = await reportedWithMessages();
    const path = linkFor(messages, 'cisa');
    await api.call(KEYS.partner.cisa, 'POST', `/v1/incidents/${incident.id}/acknowledge`, {});
    const page = await api.call(null, 'GET', path);
    expectAckPage(page, 200);
    expect(page.text).toContain('CISA had already acknowledged');
    expect(page.text).not.toMatch(/<form|<button/);
    // Another organization's link still offers the button.
    expect((await api.call(null, 'GET', linkFor(messages, 'fbi'))).text).toContain('<button type="submit">');
  });

  it('answers malformed, unknown and refused requests with HTML pages: 403, 404, 405, 413', async () => {
    const { incident } = await reportedWithMessages();
    for (const token of ['%ZZ', '%E0%A4%A', '%', 'nonsense', 'a.b.c', 'a%2Fb', 'x'.repeat(2000)]) {
      for (const method of ['GET', 'POST']) {
        const res = await api.call(null, method, `/v1/ack/${token}`);
        expectAckPage(res, 403);
        expect(res.text).toContain('not valid or has expired');
      }
    }
    // A genuine link to an incident that is not there (or no longer visible to its organization).
    const missing = (await ackTokens()).sign('inc_01M899CQ51KBW81DJ4QTE6713E', 'cisa', 'cisa duty');
    expectAckPage(await api.call(null, 'GET', `/v1/ack/${missing}`), 404);
    expectAckPage(await api.call(null, 'POST', `/v1/ack/${missing}`), 404);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await api.call(null, method, '/v1/ack/nonsense');
      expectAckPage(res, 405);
      expect(res.headers.get('allow')).toBe('GET, POST');
    }
    expectAckPage(await api.call(null, 'POST', '/v1/ack/nonsense', 'x'.repeat(70_000), { 'content-type': 'application/x-www-form-urlencoded' }), 413);
    expect((await get(incident.id)).version).toBe(1);
  });

  it('answers the same through the Lambda handlers, as API Gateway delivers an undecodable token', async () => {
    const event = (method: string, token: string) => ({
      resource: '/v1/ack/{token}', path: `/v1/ack/${token}`, httpMethod: method, headers: {}, multiValueHeaders: {},
      queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: { token }, stageVariables: null,
      body: null, isBase64Encoded: false, requestContext: { requestId: 'r-1' },
    }) as unknown as APIGatewayProxyEvent;
    for (const [handler, method] of [[getAckPageHandler, 'GET'], [postAckHandler, 'POST']] as const) {
      for (const token of ['%ZZ', '']) {
        const res = await handler(event(method, token), {} as Context);
        expect({ method, token, status: res.statusCode, type: res.headers?.['content-type'] }).toEqual({ method, token, status: 403, type: HTML });
        expect(res.headers).toMatchObject({ 'x-frame-options': 'DENY', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        expect(res.body).toContain('not valid or has expired');
      }
    }
  });
});

/** An incident's audit trail, without the entries of its own readings (reading the trail is recorded too, as action `audit`). */
const auditTrail = async (id: string) => ((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/audit`)).body.items as Array<{ action: string; actor: { orgId: string; by: string | null } }>)
  .filter((e) => e.action !== 'audit');

describe('M2: every answer carrying a restricted incident is audited', () => {
  it('the emailed acknowledgement page, by the contact whose link it is', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'RED', participants: ['fbi'] }));
    const message = await eventually(() => api.outbox.messages.find((m) => m.incidentId === red.id && m.orgId === 'fbi'));
    const link = /https?:\/\/\S+\/v1\/ack\/\S+/.exec(message.email!.body)![0];
    const page = await fetch(`${api.url}${new URL(link).pathname}`);
    expect(page.status).toBe(200);
    const reads = (await auditTrail(red.id)).filter((e) => e.action === 'read');
    expect(reads.map((e) => [e.actor.orgId, e.actor.by])).toEqual([['fbi', 'fbi duty']]);
  });
});

describe('second round of the red team', () => {
  it('MEDIUM-1: a phone not cleared for RED neither acknowledges a RED incident by SMS nor learns its title', async () => {
    const { body: red } = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ title: 'RED secret title', tlp: 'RED', participants: ['odni'] }));
    const message = await eventually(() => api.outbox.messages.find((m) => m.incidentId === red.id && m.topic === 'google_red'));
    const code = /ACK (\d+)/.exec(message.sms)![1];
    // ODNI's only phone (+12025550005) is not cleared.
    const reply = await api.call(null, 'POST', '/local/sms', { originationNumber: '+12025550005', messageBody: `ACK ${code}` });
    expect(JSON.stringify(reply.body)).not.toContain('RED secret title');
    expect((await api.call(KEYS.partner.google, 'GET', `/v1/incidents/${red.id}`)).body.acknowledgements).toEqual([]);
  });

});
