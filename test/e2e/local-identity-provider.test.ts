/**
 * `npm start`'s identity provider, as a relying party and a script see it: discovery, the real
 * authorization code + PKCE flow through its sign-in form (driven by openid-client, the matching
 * RP library), tokens the API accepts, `POST /local/token` for scripts, and a demo person working
 * an incident end to end with every step in the trail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as oidc from 'openid-client';

const root = join(__dirname, '..', '..');
let child: ChildProcess;
let url: string;
let output = '';

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: root, env: { ...process.env, PORT: '0', CONCORD_DATA_DIR: ':memory:' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => { output += c; });
  child.stderr!.on('data', (c) => { output += c; });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (m && output.includes('OpenAPI:')) { clearInterval(timer); resolve(m[1]!); }
    }, 50);
    child.once('exit', (code) => { clearInterval(timer); reject(new Error(`npm start exited ${code}:\n${output}`)); });
  });
}, 90_000);

afterAll(async () => {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
});

const call = async (token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};

const tokenFor = async (login: string) => {
  const res = await fetch(`${url}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; token_type: string; expires_in: number };
};

it('prints the demo people and their logins', () => {
  expect(output).toMatch(/fbi\s+partner\s+login fbi\.responder\s+password demo-fbi-responder/);
  expect(output).toMatch(/cisa\s+manager\s+login cisa\.manager/);
  expect(output).toMatch(/cisa\s+admin\s+login cisa\.admin/);
});

// RFC 8252 §7.3: people type http://127.0.0.1:$PORT/app as often as http://localhost:$PORT/app, and
// the IP literal is even the preferred loopback form; the app's redirect URI is its own address.
it.each(['localhost', '127.0.0.1'])('signs a person in with code + PKCE through the real sign-in form from the app at %s, and the API accepts the token', async (host) => {
  const issuer = `${url}/local/idp`;
  const appUrl = url.replace('//localhost:', `//${host}:`);
  const config = await oidc.discovery(new URL(issuer), 'concord-app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  expect(config.serverMetadata().issuer).toBe(issuer);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const redirectUri = `${appUrl}/app`;
  const authorize = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid profile api', resource: 'urn:concord:api', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });

  // A browser: follow redirects by hand, keep cookies, fill in the form labelled Login and Password.
  const jar = new Map<string, string>();
  const go = async (href: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(href, url), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) { const [pair] = c.split(';'); const i = pair!.indexOf('='); jar.set(pair!.slice(0, i), pair!.slice(i + 1)); }
    return res;
  };
  let res = await go(authorize.href);
  // Not an error page (invalid_redirect_uri): on to the provider's sign-in form.
  expect({ status: res.status, location: res.headers.get('location'), body: res.status < 300 || res.status >= 400 ? await res.text() : '' })
    .toEqual({ status: 303, location: expect.stringContaining('/local/idp/interaction/'), body: '' });
  const loginPage = await go(res.headers.get('location')!);
  const html = await loginPage.text();
  expect(html).toMatch(/<label for="login">Login<\/label>/);
  expect(html).toMatch(/<label for="password">Password<\/label>/);
  const action = /action="([^"]+)"/.exec(html)![1]!;

  const wrong = await go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'login=fbi.responder&password=nope' });
  expect(wrong.status).toBe(401);
  expect(await wrong.text()).toContain('Unknown login or wrong password');

  res = await go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'login=fbi.responder&password=demo-fbi-responder' });
  let location = res.headers.get('location')!;
  for (let hop = 0; hop < 6 && !location.startsWith(redirectUri); hop++) location = (await go(location)).headers.get('location')!;
  expect(location.startsWith(redirectUri)).toBe(true);

  const tokens = await oidc.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state }, { resource: 'urn:concord:api' });
  expect(tokens.token_type?.toLowerCase()).toBe('bearer');
  expect(tokens.claims()?.name).toBe('Dana Whitfield');
  const me = await call(tokens.access_token, 'GET', '/v1/incidents');
  expect(me.status).toBe(200);
}, 60_000);

it('works an incident as demo people, every step attributed and audited; RED goes to cleared contacts only', async () => {
  const fbi = (await tokenFor('fbi.responder')).access_token;
  const facebook = (await tokenFor('facebook.responder')).access_token;
  const created = await call(facebook, 'POST', '/v1/incidents', { title: 'Ransomware at a county clerk', severity: 'critical', category: 'ransomware', tlp: 'RED', participants: ['fbi', 'google'] });
  expect(created.status).toBe(201);
  const id = created.body.id;
  expect((await call(fbi, 'POST', `/v1/incidents/${id}/acknowledge`, {})).status).toBe(200);
  expect((await call(fbi, 'POST', `/v1/incidents/${id}/assign`, { orgId: 'fbi', responder: 'Dana Whitfield' })).status).toBe(200);
  expect((await call(fbi, 'POST', `/v1/incidents/${id}/notes`, { text: 'imaged the server' })).status).toBe(201);
  expect((await call(fbi, 'POST', `/v1/incidents/${id}/resolve`, { resolution: 'restored from backup' })).status).toBe(200);

  const timeline = await call(fbi, 'GET', `/v1/incidents/${id}/timeline`);
  const byPeople = timeline.body.events.filter((e: { actor: { personId?: string } }) => e.actor.personId);
  expect(byPeople.map((e: { type: string; actor: { by: string; personId: string } }) => [e.type, e.actor.by, e.actor.personId])).toEqual([
    ['reported', 'Jordan Lee', `${url}/local/idp#facebook.responder`],
    ['acknowledged', 'Dana Whitfield', `${url}/local/idp#fbi.responder`],
    ['assigned', 'Dana Whitfield', `${url}/local/idp#fbi.responder`],
    ['note', 'Dana Whitfield', `${url}/local/idp#fbi.responder`],
    ['resolved', 'Dana Whitfield', `${url}/local/idp#fbi.responder`],
  ]);

  const trail = (await call(fbi, 'GET', `/v1/incidents/${id}/audit`)).body.items as Array<{ action: string; actor: { by: string } }>;
  expect(trail.map((e) => e.action)).toEqual(expect.arrayContaining(['report', 'acknowledge', 'assign', 'note', 'resolve', 'timeline']));

  // A non-participant's person: not found, and recorded as denied: the participants see who tried
  // in the incident's trail; an admin outside the RED incident never sees its id.
  const microsoft = (await tokenFor('microsoft.responder')).access_token;
  expect((await call(microsoft, 'GET', `/v1/incidents/${id}`)).status).toBe(404);
  const tried = (await call(fbi, 'GET', `/v1/incidents/${id}/audit`)).body.items as Array<{ action: string; outcome: string; actor: { orgId: string } }>;
  expect(tried.filter((e) => e.outcome === 'denied').map((e) => [e.action, e.actor.orgId])).toEqual([['read', 'microsoft']]);
  const admin = (await tokenFor('cisa.admin')).access_token;
  const outside = (await call(admin, 'GET', '/v1/audit?orgId=microsoft&action=read')).body;
  expect(outside.items).toEqual([]);
  expect(JSON.stringify(outside)).not.toMatch(new RegExp(`Ransomware|${id}`));

  // RED: only the participants' cleared contacts' topics; Google has none, so it is told why in the timeline.
  let googleFailure: { data: { reason?: string } } | undefined;
  for (let i = 0; i < 100 && !googleFailure; i++) {
    const events = (await call(fbi, 'GET', `/v1/incidents/${id}/timeline`)).body.events as Array<{ type: string; data: { orgId?: string; reason?: string } }>;
    googleFailure = events.find((e) => e.type === 'notification_failed' && e.data.orgId === 'google');
    if (!googleFailure) await new Promise((r) => setTimeout(r, 100));
  }
  expect(googleFailure?.data.reason).toMatch(/no contact cleared for TLP:RED/);
  const outbox = (await (await fetch(`${url}/local/outbox`)).json()) as { messages: Array<{ incidentId: string; topic: string }> };
  const topics = [...new Set(outbox.messages.filter((m) => m.incidentId === id).map((m) => m.topic))].sort();
  expect(topics).toEqual(['fbi_red']);
}, 60_000);

it('answers POST /local/token as the contract says, for a login written in any case', async () => {
  const answer = await tokenFor('FBI.Responder');
  expect(answer).toEqual({ access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), token_type: 'Bearer', expires_in: 3600 });
  expect((await call(answer.access_token, 'GET', '/v1/incidents')).status).toBe(200);
});

it('refuses a token request for a login it does not know, and every other method', async () => {
  const res = await fetch(`${url}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'nobody' }) });
  expect(res.status).toBe(400);
  expect((await res.json()).errors).toEqual([{ path: 'login', message: 'unknown login' }]);
  expect((await fetch(`${url}/local/token`)).status).toBe(405);
});

describe('the sign-in page (#22 item 4)', () => {
  /** A browser at the sign-in page of a fresh authorization request: its cookie jar, the form's action. */
  const atSignInPage = async () => {
    const jar = new Map<string, string>();
    const go = async (href: string, init: RequestInit = {}) => {
      const res = await fetch(new URL(href, url), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) { const [pair] = c.split(';'); const i = pair!.indexOf('='); jar.set(pair!.slice(0, i), pair!.slice(i + 1)); }
      return res;
    };
    const verifier = oidc.randomPKCECodeVerifier();
    const authorize = new URL(`${url}/local/idp/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'concord-app', response_type: 'code', redirect_uri: `${url}/app`, scope: 'openid profile api', resource: 'urn:concord:api',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: oidc.randomState(),
    })) authorize.searchParams.set(k, v);
    const form = await go((await go(authorize.href)).headers.get('location')!);
    const html = await form.text();
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const post = (login: string, password: string) => go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login, password }).toString() });
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return { form, action, go, post, cookie };
  };

  const expectPageHeaders = (res: Response, what: string) => {
    const h = Object.fromEntries(['content-security-policy', 'x-frame-options', 'cache-control', 'x-content-type-options'].map((n) => [n, res.headers.get(n)]));
    expect({ what, ...h }).toEqual({
      what,
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'x-frame-options': 'DENY',
      'cache-control': expect.stringContaining('no-store'),
      'x-content-type-options': 'nosniff',
    });
  };

  it('4R: every answer of the page carries its CSP and anti-framing headers: the form, a wrong password, an unknown step, an unknown interaction', async () => {
    const { form, action, go, post } = await atSignInPage();
    expect(form.status).toBe(200);
    expectPageHeaders(form, 'the form');
    const wrong = await post('cisa.responder', 'nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('<form');
    expectPageHeaders(wrong, 'a wrong password');
    const unknownStep = await go(`${action.replace(/\/login$/, '')}/nowhere`);
    expect(unknownStep.status).toBe(404);
    expectPageHeaders(unknownStep, 'an unknown step');
    const gone = await fetch(`${url}/local/idp/interaction/no-such-interaction`);
    expect(gone.status).toBe(400);
    expectPageHeaders(gone, 'an unknown interaction');
  });

  it('4R (red team F6): pages the provider library draws itself (an unknown client, the sign-out form) cannot be framed either', async () => {
    for (const path of ['/local/idp/auth?client_id=evil&response_type=code&scope=openid', '/local/idp/session/end']) {
      const res = await fetch(`${url}${path}`, { redirect: 'manual' });
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('4R: locks a login out after five wrong passwords: the sixth try, even with the right password, is 429 with Retry-After, and /local/token says so too', async () => {
    const { post } = await atSignInPage();
    for (let i = 0; i < 5; i++) expect((await post('twitter.responder', `guess-${i}`)).status).toBe(401);
    const locked = await post('twitter.responder', 'demo-twitter-responder');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await locked.text()).toMatch(/Too many failed sign-ins/);
    expectPageHeaders(locked, 'a lock-out');
    const token = await fetch(`${url}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'twitter.responder' }) });
    expect(token.status).toBe(429);
    expect(Number(token.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another person is not locked out by it.
    expect((await tokenFor('google.responder')).access_token).toBeTruthy();
  });

  it('6R: a sign-in form whose Content-Length promises more than it sends is answered 408 with the page\'s headers, not held until Node\'s timeout', async () => {
    const { action, cookie } = await atSignInPage();
    const { port } = new URL(url);
    const body = 'login=cisa.manager&password=';
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let data = '';
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer within 40 s: ${data}`)); }, 40_000);
      socket.on('data', (c) => { data += c; if (data.includes('</html>')) { clearTimeout(timer); socket.destroy(); resolve(data); } });
      socket.on('close', () => { clearTimeout(timer); resolve(data); });
      socket.on('error', () => {});
      socket.write(`POST ${action} HTTP/1.1\r\nHost: localhost:${port}\r\nCookie: ${cookie()}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length + 100}\r\n\r\n${body}`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/\r\nx-frame-options: DENY\r\n/i);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
  }, 60_000);
});
