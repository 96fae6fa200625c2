/**
 * People's tokens: a table of forged and broken tokens, each refused with a reason, and the
 * identity provider asked for its keys at most once a minute whatever arrives.
 */
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from 'jose';
import { createPublicKey } from 'node:crypto';
import { UnauthorizedError } from '../../lambdas/domain/errors';
import type { IssuerTrust } from '../../lambdas/domain/ports';
import { makeTokenVerifier } from '../../lambdas/adapters/oidc/token-verifier';

const ISSUER = 'https://idp.fbi.example';
const SHARED = 'https://login.shared.example';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let rsa: Keys;
let other: Keys;
let rsaJwk: JWK;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  other = await generateKeyPair('RS256', { extractable: true });
  rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
});

const TRUSTS: Record<string, IssuerTrust[]> = {
  [ISSUER]: [{ orgId: 'fbi', provider: { issuer: ISSUER, audience: 'concord', rolesClaim: 'groups', roles: { 'concord-managers': 'manager', 'concord-admins': 'admin' } } }],
  [SHARED]: [
    { orgId: 'cisa', provider: { issuer: SHARED, audience: 'concord' } },
    { orgId: 'odni', provider: { issuer: SHARED, audience: 'concord' } },
  ],
};

/** A fake network: each issuer's discovery document and keys; counts the key fetches. */
function network(options: { jwksDown?: boolean } = {}) {
  const fetches: string[] = [];
  const fetchImpl = (async (input: string | URL) => {
    const url = String(input);
    fetches.push(url);
    const issuer = [ISSUER, SHARED].find((i) => url.startsWith(i));
    if (!issuer) return new Response('no', { status: 404 });
    if (url.endsWith('/.well-known/openid-configuration')) return Response.json({ issuer, jwks_uri: `${issuer}/jwks` });
    if (options.jwksDown) return new Response('down', { status: 503 });
    return Response.json({ keys: [rsaJwk] });
  }) as typeof fetch;
  const jwksFetches = () => fetches.filter((u) => u.endsWith('/jwks')).length;
  return { fetchImpl, fetches, jwksFetches };
}

function verifier(options: { jwksDown?: boolean } = {}) {
  const net = network(options);
  const verify = makeTokenVerifier({ trustsOf: async (issuer) => TRUSTS[issuer] ?? [], fetch: net.fetchImpl });
  return { verify, ...net };
}

const now = () => Math.floor(Date.now() / 1000);

async function token(claims: JWTPayload = {}, options: { key?: CryptoKey; kid?: string; alg?: string; iss?: string; aud?: string; exp?: number; nbf?: number } = {}) {
  const jwt = new SignJWT({ name: 'Alice Agent', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'k1' })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? 'concord')
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? now() + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? rsa.privateKey);
}

it('makes a verified person of the issuer\'s organization, partner unless the roles claim maps', async () => {
  const { verify } = verifier();
  await expect(verify(await token())).resolves.toEqual({
    orgId: 'fbi', role: 'partner', keyId: '', person: { id: `${ISSUER}#alice`, name: 'Alice Agent' },
  });
  await expect(verify(await token({ groups: ['staff', 'concord-managers'] }))).resolves.toMatchObject({ role: 'manager' });
  await expect(verify(await token({ groups: ['concord-managers', 'concord-admins'] }))).resolves.toMatchObject({ role: 'admin' });
  // Inherited names are not claim values: no role from Object.prototype.
  await expect(verify(await token({ groups: ['constructor', '__proto__'] }))).resolves.toMatchObject({ role: 'partner' });
});

it('carries the email the issuer vouches for (it ties the person to a contact), unless the issuer says it is not verified', async () => {
  const { verify } = verifier();
  await expect(verify(await token({ email: 'alice@fbi.example' }))).resolves.toMatchObject({ person: { id: `${ISSUER}#alice`, name: 'Alice Agent', email: 'alice@fbi.example' } });
  await expect(verify(await token({ email: 'alice@fbi.example', email_verified: true }))).resolves.toMatchObject({ person: { email: 'alice@fbi.example' } });
  for (const claims of [{ email: 'alice@fbi.example', email_verified: false }, { email: 42 }, { email: `${'a'.repeat(250)}@x.example` }]) {
    const caller = await verify(await token(claims));
    expect(caller.person).toEqual({ id: `${ISSUER}#alice`, name: 'Alice Agent' });
  }
});

it('accepts up to 60 s of clock skew, and no more', async () => {
  const { verify } = verifier();
  await expect(verify(await token({}, { exp: now() - 30 }))).resolves.toMatchObject({ orgId: 'fbi' });
  await expect(verify(await token({}, { nbf: now() + 30 }))).resolves.toMatchObject({ orgId: 'fbi' });
});

describe('refuses, with a reason', () => {
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['signed with another key under the same kid', () => token({}, { key: other.privateKey }), /signature/],
    ['alg none', async () => new UnsecuredJWT({ sub: 'alice', name: 'x' }).setIssuer(ISSUER).setAudience('concord').setExpirationTime('10m').encode(), /not accepted/],
    ['HS256 with the public key as the secret', async () => {
      const pem = createPublicKey({ key: rsaJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      return new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(ISSUER).setAudience('concord').setExpirationTime('10m').sign(new TextEncoder().encode(String(pem)));
    }, /not accepted/],
    ['expired', () => token({}, { exp: now() - 120 }), /expired/],
    ['not valid yet', () => token({}, { nbf: now() + 120 }), /not valid yet/],
    ['for another audience', () => token({}, { aud: 'someone-else' }), /aud/],
    ['from an issuer no organization trusts', () => token({}, { iss: 'https://evil.example' }), /No organization trusts/],
    ['of org A\'s issuer claiming org B', () => token({ org: 'cisa' }), /may not act for "cisa"/],
    ['of a shared issuer naming no organization', () => token({}, { iss: SHARED }), /must name its organization/],
    ['with a kid the issuer never published', () => token({}, { kid: 'unknown' }), /No key/],
    ['that is not a JWT', async () => 'eyJhbGciOi.not-json.x', /well-formed JWT/],
  ];

  it.each(cases)('%s', async (_name, make, reason) => {
    const { verify } = verifier();
    const attempt = verify(await make());
    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(attempt).rejects.toThrow(reason);
  });

  it('a token of a shared issuer acts only for the organization it names', async () => {
    const { verify } = verifier();
    await expect(verify(await token({ org: 'odni' }, { iss: SHARED }))).resolves.toMatchObject({ orgId: 'odni', person: { id: `${SHARED}#alice` } });
  });
});

it('fetches the keys at most once a minute under a flood of unknown kids', async () => {
  const { verify, jwksFetches } = verifier();
  await verify(await token());
  const flood = await Promise.all(Array.from({ length: 50 }, (_, i) => token({}, { kid: `forged-${i}` })));
  for (const t of flood) await expect(verify(t)).rejects.toThrow(/No key/);
  expect(jwksFetches()).toBe(1);
});

it('fetches discovery and keys once when a flood of tokens reaches a verifier that has none yet', async () => {
  const { verify, fetches, jwksFetches } = verifier();
  const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => token({}, { kid: i % 2 ? 'k1' : `forged-${i}` })));
  await Promise.allSettled(flood.map((t) => verify(t)));
  expect([fetches.filter((u) => u.endsWith('/openid-configuration')).length, jwksFetches()]).toEqual([1, 1]);
});

it('an organization that trusts one issuer twice (the local provider and a directory entry) is one organization, with the last entry\'s roles', async () => {
  const twice: IssuerTrust[] = [
    { orgId: 'fbi', provider: { issuer: ISSUER, audience: 'concord' } },
    { orgId: 'fbi', provider: { issuer: ISSUER, audience: 'concord', rolesClaim: 'groups', roles: { 'concord-managers': 'manager' } } },
  ];
  const verify = makeTokenVerifier({ trustsOf: async () => twice, fetch: network().fetchImpl });
  await expect(verify(await token({ groups: ['concord-managers'] }))).resolves.toMatchObject({ orgId: 'fbi', role: 'manager' });
});

it('refuses an issuer that is no http(s) URL of at most 500 characters without looking it up', async () => {
  const looked: string[] = [];
  const verify = makeTokenVerifier({ trustsOf: async (issuer) => { looked.push(issuer); return []; }, fetch: network().fetchImpl });
  for (const iss of [`https://idp.example/${'a'.repeat(3000)}`, 'urn:example:idp', 'not a url']) {
    await expect(verify(await token({}, { iss }))).rejects.toThrow(/issuer .*is not an http\(s\) URL/);
  }
  expect(looked).toEqual([]);
});

it('keeps accepting tokens signed with keys it has when the key endpoint fails a refetch (an unknown kid during an outage)', async () => {
  let down = false;
  const net = network();
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => (down && String(input).endsWith('/jwks') ? new Response('down', { status: 503 }) : net.fetchImpl(input, init))) as typeof fetch;
  let clock = Date.now();
  const verify = makeTokenVerifier({ trustsOf: async (issuer) => TRUSTS[issuer] ?? [], fetch: fetchImpl, now: () => clock });
  await verify(await token());
  down = true;
  // A minute later (past jose's own cooldown too), an unknown kid makes it ask again, and that fails.
  clock += 61_000;
  const realNow = Date.now;
  const later = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 61_000);
  try {
    const rotated = await token({}, { kid: 'rotated-in' });
    await expect(verify(rotated)).rejects.toThrow(UnauthorizedError);
    await expect(verify(await token())).resolves.toMatchObject({ orgId: 'fbi' });
  } finally {
    later.mockRestore();
  }
});

it('refuses while the key endpoint is down, and does not ask it again within the minute', async () => {
  const { verify, jwksFetches } = verifier({ jwksDown: true });
  for (let i = 0; i < 20; i++) await expect(verify(await token())).rejects.toThrow(/could not be fetched/);
  expect(jwksFetches()).toBe(1);
});

it('6R: outside local mode, never looks up a loopback issuer, even one a directory entry from before still trusts (Lambda\'s own runtime API is on 127.0.0.1)', async () => {
  const saved = process.env.CONCORD_LOCAL_MODE;
  delete process.env.CONCORD_LOCAL_MODE;
  try {
    const fetched: string[] = [];
    const verify = makeTokenVerifier({
      trustsOf: async (issuer) => [{ orgId: 'fbi', provider: { issuer, audience: 'concord' } }],
      fetch: (async (u: string | URL) => { fetched.push(String(u)); return new Response('no', { status: 404 }); }) as typeof fetch,
    });
    for (const iss of ['http://127.0.0.1:9001', 'http://localhost:3000/local/idp', 'https://[::1]/idp']) {
      await expect(verify(await token({}, { iss }))).rejects.toThrow(/loopback/);
    }
    expect(fetched).toEqual([]);
  } finally {
    process.env.CONCORD_LOCAL_MODE = saved;
  }
});
