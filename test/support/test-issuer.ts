/**
 * An OpenID issuer for in-process tests: a loopback HTTP server with a discovery document and a
 * JWKS, and tokens signed by jose with its key — what an organization's identity provider
 * publishes, without a browser. (`npm start` runs a real one, oidc-provider; see the e2e tests.)
 */
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import type { DirectoryFile } from '../../lambdas/domain/directory-file';

export interface TestIssuer {
  issuer: string;
  /** A token for `sub` of `org`, with claims of your choice (`groups` maps to roles). */
  token(org: string, sub: string, claims?: JWTPayload): Promise<string>;
  /** How many times the keys were fetched. */
  jwksFetches(): number;
  stop(): Promise<void>;
}

export const ISSUER_ROLES = { rolesClaim: 'groups', roles: { 'concord-managers': 'manager', 'concord-admins': 'admin' } } as const;

export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'ES256', use: 'sig' };
  let fetches = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    if (req.url === '/jwks') { fetches++; return res.end(JSON.stringify({ keys: [jwk] })); }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    token: (org, sub, claims = {}) => new SignJWT({ name: `${sub} of ${org}`, org, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-1' })
      .setIssuer(issuer).setAudience('concord').setSubject(sub).setIssuedAt().setExpirationTime('1h')
      .sign(privateKey),
    jwksFetches: () => fetches,
    stop: () => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); }),
  };
}

/** Makes every organization of `file` trust `issuer` (replacing them as the operator would). */
export async function trustIssuer(file: DirectoryFile, issuer: string): Promise<void> {
  const trusting: DirectoryFile = {
    organizations: file.organizations.map((o) => ({ ...o, identity: [{ issuer, audience: 'concord', ...ISSUER_ROLES, roles: { ...ISSUER_ROLES.roles } }] })),
  };
  const loader = await directoryFiles();
  await loader.apply(trusting, await loader.plan(trusting), 'reload');
}
