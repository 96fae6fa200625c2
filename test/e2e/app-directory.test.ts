/**
 * What the responders' app needs from the API beyond the incidents: the directory any signed-in
 * caller may read (participants for the report form), and the way from a message to the app —
 * the email acknowledgement's confirmation page links to the incident; the SMS carries no link.
 */
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';
import { SMS_MAX } from '../../lambdas/adapters/sns/messages';

let api: TestApi;
beforeAll(async () => { api = await startTestApi({ notifications: true }); });
afterAll(() => api.stop());

describe('GET /v1/directory', () => {
  it('names every organization by id, name and kind, to partners, managers and admins alike', async () => {
    for (const key of [KEYS.partner.google, KEYS.manager.cisa, KEYS.admin]) {
      const res = await api.call(key, 'GET', '/v1/directory');
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual(expect.arrayContaining([{ id: 'fbi', name: 'FBI', kind: 'agency' }, { id: 'google', name: 'GOOGLE', kind: 'company' }]));
      for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(['id', 'kind', 'name']);
    }
  });

  it('tells nothing of contacts, identities or keys', async () => {
    const { text } = await api.call(KEYS.partner.google, 'GET', '/v1/directory');
    expect(text).not.toMatch(/@|\+1\d{6}|contacts|identity|issuer|key/i);
  });

  it('is for signed-in callers only, and read-only', async () => {
    expect((await api.call(null, 'GET', '/v1/directory')).status).toBe(401);
    expect((await api.call('not-a-key-anyone-has-0123456789', 'GET', '/v1/directory')).status).toBe(401);
    const post = await api.call(KEYS.partner.google, 'POST', '/v1/directory', {});
    expect(post.status).toBe(405);
    expect((await api.call(KEYS.partner.google, 'GET', '/v1/directory?x=1')).status).toBe(400);
  });
});

describe('from a message to the app', () => {
  it('links the email acknowledgement\'s confirmation page to the incident in the app, relative to the stage', async () => {
    const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa'], title: 'Linked from the acknowledgement page' }));
    const email = await eventually(() => api.outbox.messages.find((m) => m.incidentId === incident.id && m.orgId === 'cisa')?.email);
    const link = /(http:\/\/\S+\/v1\/ack\/\S+)/.exec(email.body)![1]!;
    const path = new URL(link).pathname;
    const done = await api.call(null, 'POST', path);
    expect(done.status).toBe(200);
    const href = /<a href="([^"]+)">Open the incident in Concord<\/a>/.exec(done.text)![1]!;
    expect(href).toBe(`../../app#/incidents/${incident.id}`);
    expect(new URL(href, `${api.url}${path}`).href).toBe(`${api.url}/app#/incidents/${incident.id}`);
    // Behind API Gateway, under the stage:
    expect(new URL(href, `https://abc.execute-api.us-east-1.amazonaws.com/prod${path}`).href).toBe(`https://abc.execute-api.us-east-1.amazonaws.com/prod/app#/incidents/${incident.id}`);
    // Already acknowledged, and resolved, the pages link there too.
    expect((await api.call(null, 'GET', path)).text).toContain(`href="../../app#/incidents/${incident.id}"`);
    await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'done' });
    expect((await api.call(null, 'POST', path)).text).toContain(`href="../../app#/incidents/${incident.id}"`);
  });

  it('keeps the SMS to the title and the reply code: no link fits in 140 characters', async () => {
    const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'], title: 'SMS without a link' }));
    const sms = await eventually(() => api.outbox.messages.find((m) => m.incidentId === incident.id && m.orgId === 'fbi')?.sms);
    expect(sms.length).toBeLessThanOrEqual(SMS_MAX);
    expect(sms).not.toMatch(/https?:|\/app/);
    expect(sms).toContain('SMS without a link');
    // The arithmetic behind the decision: the shortest address of an incident in the app behind
    // API Gateway, with the SMS's fixed parts, leaves the title fewer than 20 characters.
    const appUrl = `https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/app#/incidents/${incident.id}`;
    const fixed = 'CRITICAL TLP:AMBER  Reply ACK 123456'.length;
    expect(SMS_MAX - fixed - appUrl.length).toBeLessThan(20);
  });
});

describe('the app\'s sign-in settings (GET /app/config.json) and its Content-Security-Policy', () => {
  // Imported here so the harness above has set the environment first.
  const load = () => import('../../lambdas/handlers/get-app');

  it('offers the API-key sign-in only when no issuer is configured (as in this harness)', async () => {
    const res = await api.call(null, 'GET', '/app/config.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ issuer: null, clientId: null, resource: null, scope: 'openid profile', sendToken: 'access_token', orgClaim: 'org' });
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self';");
  });

  it('names Cognito as the stack configures it: the ID token, and the hosted domain reachable', async () => {
    const { appConfig, securityHeaders } = await load();
    const { readAppSettings } = await import('../../lambdas/config/app-env');
    const env = {
      CONCORD_APP_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC', CONCORD_APP_CLIENT_ID: 'client123',
      CONCORD_APP_SEND_TOKEN: 'id_token', CONCORD_APP_CONNECT_ORIGINS: 'https://concord-prod-1.auth.us-east-1.amazoncognito.com',
      CONCORD_APP_ORG_CLAIM: 'custom:org',
    };
    // Cognito names the organization in `custom:org`: the page must read it there.
    expect(appConfig(readAppSettings(env))).toEqual({ issuer: env.CONCORD_APP_ISSUER, clientId: 'client123', resource: null, scope: 'openid profile', sendToken: 'id_token', orgClaim: 'custom:org' });
    const csp = securityHeaders(readAppSettings(env))['content-security-policy'];
    expect(csp).toContain("connect-src 'self' https://cognito-idp.us-east-1.amazonaws.com https://concord-prod-1.auth.us-east-1.amazoncognito.com;");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
  });

  it('lets the identity provider\'s answer into /app, and nothing else', async () => {
    expect((await api.call(null, 'GET', '/app?code=abc&state=xyz&iss=https%3A%2F%2Fidp.example')).status).toBe(200);
    expect((await api.call(null, 'GET', '/app?error=access_denied&state=xyz')).status).toBe(200);
    expect((await api.call(null, 'GET', '/app?debug=1')).status).toBe(400);
  });
});
