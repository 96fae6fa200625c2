/**
 * The local identity provider of `npm start`: oidc-provider (the certified Node implementation),
 * mounted at /local/idp, signing in the directory file's `people`. It stands in for each
 * organization's own provider (Cognito or a federated IdP in AWS): authorization code with PKCE
 * for browsers, access tokens as RS256 JWTs for audience `concord`, carrying `name`, `org` and
 * `roles`. Every organization with people in the file trusts it (no `identity` entry needed).
 *
 * For scripts and tests only, `token(login)` signs a person in exactly as a browser would — the
 * real authorization request, sign-in form, consent and code exchange, over HTTP — so even
 * `POST /local/token` gets its token from the provider, never from a hand-made minter.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DirectoryFile } from '../lambdas/domain/directory-file';
import type { IssuerTrust } from '../lambdas/domain/ports';
import { RateLimitedError } from '../lambdas/domain/errors';
import { SignInThrottle, type SignInThrottleOptions } from './sign-in-throttle';

export const IDP_PATH = '/local/idp';
export const APP_CLIENT_ID = 'concord-app';
export const RESOURCE = 'urn:concord:api';
export const AUDIENCE = 'concord';
const TOKEN_CALLBACK = '/local/token/callback';
const TOKEN_TTL_SECONDS = 3600;

type Person = NonNullable<DirectoryFile['people']>[number];

export interface LocalIdentityProvider {
  issuer: string;
  /** Serves a request under /local/idp; false when the path is not the provider's. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** A person's token through the real code + PKCE flow (local mode only: the password is the file's). */
  token(login: string): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }>;
  /** The organizations that trust this provider: those with people in the file. */
  trust(issuer: string): IssuerTrust[];
  people: Person[];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1b1b;background:#f5f5f5}
main{max-width:24rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
label{display:block;margin-top:1rem;font-weight:600}input{box-sizing:border-box;width:100%;min-height:44px;padding:.5rem;font-size:1rem;border:1px solid #595959;border-radius:4px}
button{margin-top:1.5rem;min-height:44px;width:100%;font-size:1rem;background:#0b4f9c;color:#fff;border:0;border-radius:4px;cursor:pointer}
:focus-visible{outline:3px solid #bf4e00;outline-offset:2px}.error{color:#a00;font-weight:600}p.note{color:#4a4a4a;font-size:.9rem}
</style></head><body><main>${body}</main></body></html>`;
}

function loginPage(uid: string, error?: string, login = ''): string {
  return page('Sign in — Concord local identity provider', `<h1>Sign in</h1>
<p class="note">Concord's local identity provider (development only). It stands in for your organization's own.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${IDP_PATH}/interaction/${encodeURIComponent(uid)}/login" autocomplete="off">
<label for="login">Login</label><input id="login" name="login" required autofocus value="${escapeHtml(login)}" autocapitalize="none" spellcheck="false">
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`);
}

/**
 * Every answer of the sign-in page (the form, a wrong password, a lock-out, an error, a redirect):
 * no framing (the form must not be overlaid), no caching, no sniffing, no scripts; the form posts
 * only to `formAction` (its own origin and the app's, where its answer redirects).
 */
function pageHeaders(formAction: string): Record<string, string> {
  return {
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/** What every answer the provider library writes itself carries: no framing, no sniffing, no referrer. */
const PROVIDER_HEADERS: Record<string, string> = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The form did not arrive: a Content-Length that promises more than is sent (answered 408, the connection closed). */
class FormTimedOut extends Error {}

/** How long the sign-in form's body may pause between two chunks. */
const FORM_IDLE_MS = 5_000;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout;
    const stop = (err: Error) => { clearTimeout(idle); req.removeAllListeners('data'); req.resume(); fail(err); };
    const wait = () => { clearTimeout(idle); idle = setTimeout(() => stop(new FormTimedOut('The form did not arrive in time.')), FORM_IDLE_MS); };
    wait();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 16 * 1024) return stop(new Error('form too large'));
      chunks.push(chunk);
      wait();
    });
    req.on('end', () => { clearTimeout(idle); done(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))); });
    req.on('error', (err) => { clearTimeout(idle); fail(err); });
  });
}

/** Compares without telling, by its timing, how much of a password was right. */
function samePassword(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return a.equals(b);
}

export interface LocalIdentityProviderOptions {
  /** How wrong passwords lock a login and a client out (tests inject a clock). */
  throttle?: SignInThrottleOptions;
}

/**
 * The loopback names people type for the app: a person may type either (RFC 8252 §7.3 prefers the
 * IP literal). Not [::1]: a Content-Security-Policy source cannot name an IPv6 address, so the
 * sign-in form's form-action could not let its answer through to the app there.
 */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1'];

/**
 * The app's addresses as its redirect URIs: `/app` and `/app/` under every loopback name of the
 * server's port, since the app's redirect URI is the address it was opened at. Only loopback is
 * widened; any other base URL is registered as given.
 */
export function appUrls(baseUrl: string): string[] {
  const base = new URL(baseUrl);
  const origins = LOOPBACK_HOSTS.includes(base.hostname) ? LOOPBACK_HOSTS.map((h) => `${base.protocol}//${h}${base.port ? `:${base.port}` : ''}`) : [base.origin];
  const path = base.pathname.replace(/\/$/, '');
  return origins.flatMap((o) => [`${o}${path}/app`, `${o}${path}/app/`]);
}

/** A person's address, vouched for: it ties them to their organization's contact of that address. */
const emailOf = (person: Person) => (person.email ? { email: person.email, email_verified: true } : {});

export async function startLocalIdentityProvider(baseUrl: string, people: Person[], options: LocalIdentityProviderOptions = {}): Promise<LocalIdentityProvider> {
  const throttle = new SignInThrottle(options.throttle);
  // ESM only: loaded here, at run time, by `npm start` (never by a Lambda bundle).
  const [{ default: Provider, errors }, { generateKeyPair, exportJWK }] = await Promise.all([import('oidc-provider'), import('jose')]);
  const issuer = `${baseUrl}${IDP_PATH}`;
  const byLogin = new Map(people.map((p) => [p.login, p]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: `local-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };

  // The sign-in form's answer redirects to the app, at whichever loopback name it was opened:
  // a browser holds every redirect of a form's submission to the page's form-action.
  const formAction = ["'self'", ...new Set(appUrls(baseUrl).map((u) => new URL(u).origin))].join(' ');
  const PAGE_HEADERS = pageHeaders(formAction);
  const sendPage = (res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(html);
  };
  const provider = new Provider(issuer, {
    clients: [{
      client_id: APP_CLIENT_ID,
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [...appUrls(baseUrl), `${baseUrl}${TOKEN_CALLBACK}`],
      post_logout_redirect_uris: appUrls(baseUrl),
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'offline_access', 'api'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'org', 'roles', 'email', 'email_verified'] },
    findAccount: async (_ctx: unknown, id: string) => {
      const person = byLogin.get(id);
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, name: person.name, preferred_username: person.login, org: person.orgId, roles: person.roles ?? [], ...emailOf(person) }) };
    },
    extraTokenClaims: async (_ctx: unknown, token: { accountId?: string }) => {
      const person = token.accountId ? byLogin.get(token.accountId) : undefined;
      return person ? { name: person.name, org: person.orgId, roles: person.roles ?? [], ...emailOf(person) } : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return { scope: 'api', audience: AUDIENCE, accessTokenTTL: TOKEN_TTL_SECONDS, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${IDP_PATH}/interaction/${interaction.uid}` },
    ttl: { AccessToken: TOKEN_TTL_SECONDS, AuthorizationCode: 60, IdToken: TOKEN_TTL_SECONDS, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600, RefreshToken: 8 * 3600 },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<h1>Sign-in error</h1><p class="error">${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
  } as never);
  // Served on loopback behind the local host; no proxy headers to trust.
  const callback = provider.callback();

  /** First-party app: consent is given on the person's behalf, for what was asked. */
  async function grantConsent(req: IncomingMessage, res: ServerResponse, details: Awaited<ReturnType<typeof provider.interactionDetails>>) {
    const { prompt, params, session } = details;
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    // Redirects the provider writes itself (consent, a finished sign-in) carry them too.
    for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
    const details = await provider.interactionDetails(req, res);
    const uid = details.uid;
    if (req.method === 'GET' && path === `/interaction/${uid}`) {
      if (details.prompt.name === 'consent') return grantConsent(req, res, details);
      sendPage(res, 200, loginPage(uid));
      return;
    }
    if (req.method === 'POST' && path === `/interaction/${uid}/login`) {
      const form = await readForm(req);
      const login = (form.get('login') ?? '').trim().toLowerCase().slice(0, 64);
      const client = req.socket.remoteAddress ?? 'unknown';
      // Locked out: refused without looking at the password, and counted, so hammering keeps it locked.
      if (throttle.retryAfter(login, client) > 0) {
        throttle.failed(login, client);
        const wait = throttle.retryAfter(login, client);
        sendPage(res, 429, loginPage(uid, `Too many failed sign-ins. Try again in ${wait} seconds.`, login), { 'retry-after': String(wait) });
        return;
      }
      const person = byLogin.get(login);
      if (!person || !samePassword(form.get('password') ?? '', person.password)) {
        throttle.failed(login, client);
        sendPage(res, 401, loginPage(uid, 'Unknown login or wrong password.', login));
        return;
      }
      throttle.succeeded(login);
      await provider.interactionFinished(req, res, { login: { accountId: person.login } }, { mergeWithLastSubmission: false });
      return;
    }
    sendPage(res, 404, page('Not found', '<h1>Not found</h1><p><a href="/app">Start again</a></p>'));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? '/';
    if (url !== IDP_PATH && !url.startsWith(`${IDP_PATH}/`) && !url.startsWith(`${IDP_PATH}?`)) return false;
    const rest = url.slice(IDP_PATH.length) || '/';
    const path = rest.split('?')[0]!;
    if (path.startsWith('/interaction/')) {
      try {
        await interaction(req, res, path);
      } catch (err) {
        if (!res.headersSent && err instanceof FormTimedOut) {
          sendPage(res, 408, page('Sign-in error', `<h1>Sign-in error</h1><p class="error">The form did not arrive in time.</p><p><a href="/app">Start again</a></p>`), { connection: 'close' });
        } else if (!res.headersSent) {
          sendPage(res, 400, page('Sign-in error', `<h1>Sign-in error</h1><p class="error">${escapeHtml((err as Error).message)}</p><p><a href="/app">Start again</a></p>`));
        }
      }
      return true;
    }
    // Pages the provider draws itself (an error page, the sign-out form) are never framed either; a
    // CSP of frame-ancestors alone leaves the provider's own scripts (the sign-out form's) working.
    for (const [name, value] of Object.entries(PROVIDER_HEADERS)) res.setHeader(name, value);
    // Mounted as express would: the provider sees the path below its mount point.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = rest;
    await new Promise<void>((done) => {
      res.once('finish', done);
      res.once('close', done);
      (callback as (req: IncomingMessage, res: ServerResponse) => void)(req, res);
    });
    return true;
  }

  /** The real flow, driven over HTTP with a cookie jar, as a browser would. */
  async function token(login: string) {
    const person = byLogin.get(login);
    if (!person) throw new Error(`unknown login ${login}`);
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = `${baseUrl}${TOKEN_CALLBACK}`;
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const remember = (response: Response) => {
      for (const c of response.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
    };
    const go = async (href: string, init: RequestInit = {}) => {
      const response = await fetch(new URL(href, baseUrl), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
      remember(response);
      return response;
    };
    const authorize = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: APP_CLIENT_ID, response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile api', resource: RESOURCE,
      code_challenge: challenge, code_challenge_method: 'S256', state: randomBytes(8).toString('hex'),
    })) authorize.searchParams.set(k, v);
    let response = await go(authorize.href);
    for (let hop = 0; hop < 10; hop++) {
      const location = response.headers.get('location');
      if (!location) throw new Error(`the provider answered ${response.status} without a redirect`);
      if (location.startsWith(redirectUri)) {
        const code = new URL(location).searchParams.get('code');
        if (!code) throw new Error(`the provider refused: ${new URL(location).searchParams.get('error_description') ?? location}`);
        const exchange = await fetch(`${issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: APP_CLIENT_ID, code_verifier: verifier, resource: RESOURCE }),
        });
        const body = (await exchange.json()) as { access_token?: string; expires_in?: number; error_description?: string };
        if (!body.access_token) throw new Error(`the token endpoint refused: ${body.error_description ?? exchange.status}`);
        return { access_token: body.access_token, token_type: 'Bearer' as const, expires_in: body.expires_in ?? TOKEN_TTL_SECONDS };
      }
      const next = new URL(location, baseUrl);
      if (next.pathname.startsWith(`${IDP_PATH}/interaction/`) && !next.pathname.endsWith('/login')) {
        const shown = await go(next.href);
        // The sign-in form: fill it in as a person would.
        if (shown.status === 200) {
          response = await go(`${next.pathname}/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ login: person.login, password: person.password }).toString(),
          });
          // The login is locked out by wrong passwords: POST /local/token answers 429 as the page does.
          if (response.status === 429) {
            const retry = Number(response.headers.get('retry-after')) || 1;
            throw new RateLimitedError(`Too many failed sign-ins for ${login}; try again in ${retry} seconds.`, retry);
          }
        } else {
          response = shown;
        }
        continue;
      }
      response = await go(next.href);
    }
    throw new Error('the sign-in flow did not end');
  }

  const trustedOrgs = [...new Set(people.map((p) => p.orgId))];
  return {
    issuer,
    handle,
    token,
    people,
    trust: (iss) => (iss === issuer
      ? trustedOrgs.map((orgId) => ({ orgId, provider: { issuer, audience: AUDIENCE, rolesClaim: 'roles', roles: { manager: 'manager', admin: 'admin' } } }))
      : []),
  };
}
