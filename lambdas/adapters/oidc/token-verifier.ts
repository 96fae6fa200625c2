/**
 * People's tokens: a JWT is accepted only when an organization trusts its issuer. jose does the
 * verifying (signature against the issuer's published keys, `iss`, `aud`, `exp`/`nbf` with at most
 * 60 s of skew, an algorithm allow-list); this module decides which issuers and keys to ask it
 * with, and what the verified token makes the caller.
 *
 * Keys come from the issuer's discovery document (`jwks_uri`). jose caches them and fetches again
 * for an unknown `kid`, at most once a minute per issuer (`cooldownDuration`); a failed fetch also
 * waits a minute before the next, so a flood of forged tokens never becomes a flood of requests
 * to the identity provider.
 */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthorizedError } from '../../domain/errors';
import type { Caller, Role } from '../../domain/actor';
import type { IdentityProvider, IssuerTrust } from '../../domain/ports';
import { escapeBidi } from '../../shared/bidi';
import { isLoopbackHostname } from '../../shared/loopback';
import { localMode } from '../../config/env';

export const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export const CLOCK_SKEW_SECONDS = 60;
/** How long keys and failures are remembered before the issuer is asked again. */
export const REFETCH_AFTER_MS = 60_000;
const DEFAULT_ORG_CLAIM = 'org';

/** Whether a bearer credential is a JWT (three base64url parts) rather than an API key. */
export const looksLikeJwt = (credential: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential) && credential.startsWith('eyJ');

export interface TokenVerifierDeps {
  /** The organizations that trust an issuer. */
  trustsOf(issuer: string): Promise<IssuerTrust[]>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default Date.now */
  now?: () => number;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;
type KeyResolver = (...args: Parameters<KeySet>) => ReturnType<KeySet>;
/** An issuer's keys once known, the fetch under way (shared by every token that waits for it), when it last failed. */
interface IssuerKeys { keys?: KeyResolver; fetching?: Promise<KeyResolver>; failedAt?: number }

/** What an organization may configure as an issuer (http(s), at most 500 characters): nothing else is looked up. */
const ISSUER_LENGTH = 500;
const couldBeIssuer = (iss: string) => iss.length <= ISSUER_LENGTH && /^https?:\/\/[^\s]+$/i.test(iss) && URL.canParse(iss);

/** A lookup that found no key, as opposed to one that could not reach the issuer. */
const isNoMatch = (err: unknown) => err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys;

/** Every refusal; its detail may quote the token (`iss`, an org claim), so bidirectional controls are written out. */
const refuse = (detail: string): never => { throw new UnauthorizedError(escapeBidi(detail)); };

/** The role a token's claims map to: the most capable one mapped, or partner. */
function roleOf(payload: JWTPayload, provider: IdentityProvider): Role {
  if (!provider.rolesClaim || !provider.roles) return 'partner';
  const raw = payload[provider.rolesClaim];
  const values = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : typeof raw === 'string' ? raw.split(' ') : [];
  const mapped = new Set(values.map((v) => (Object.hasOwn(provider.roles!, v) ? provider.roles![v] : undefined)));
  return mapped.has('admin') ? 'admin' : mapped.has('manager') ? 'manager' : 'partner';
}

export function makeTokenVerifier(deps: TokenVerifierDeps) {
  const doFetch = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? Date.now;
  const issuers = new Map<string, IssuerKeys>();

  const coolingDown = (state: IssuerKeys) => state.failedAt !== undefined && now() - state.failedAt < REFETCH_AFTER_MS;
  const unavailable = (issuer: string) => refuse(`The keys of ${issuer} could not be fetched; sign-in through it is unavailable for up to a minute.`);

  /**
   * The issuer's keys, from its discovery document. jose refetches them for an unknown `kid` at
   * most once a minute; a fetch that fails (discovery or keys) also stops every fetch for a minute,
   * while the keys already held go on verifying the tokens they signed.
   */
  async function keysOf(issuer: string): Promise<KeyResolver> {
    const state = issuers.get(issuer) ?? {};
    issuers.set(issuer, state);
    if (state.keys) return state.keys;
    if (coolingDown(state)) return unavailable(issuer);
    // Tokens arriving together before the keys are known wait for one fetch, not one each.
    state.fetching ??= discover(issuer, state).finally(() => { state.fetching = undefined; });
    return state.fetching;
  }

  async function discover(issuer: string, state: IssuerKeys): Promise<KeyResolver> {
    try {
      const response = await doFetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(3000), redirect: 'error' });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      const discovery = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (discovery.issuer !== issuer || typeof discovery.jwks_uri !== 'string') throw new Error('discovery document does not match the issuer');
      // Keys come over https, or, for a loopback issuer (local development), from the issuer's own origin.
      const jwks = new URL(discovery.jwks_uri);
      const from = new URL(issuer);
      if (from.protocol === 'https:' ? jwks.protocol !== 'https:' : jwks.origin !== from.origin) throw new Error('the jwks_uri is not where this issuer may publish keys');
      const remote = createRemoteJWKSet(new URL(discovery.jwks_uri), {
        cooldownDuration: REFETCH_AFTER_MS, cacheMaxAge: 10 * REFETCH_AFTER_MS, timeoutDuration: 3000, [customFetch]: doFetch,
      });
      state.keys = async (header, token) => {
        if (coolingDown(state)) {
          // The endpoint failed lately: no fetch now, but the keys already held still verify.
          const held = remote.jwks();
          return held ? createLocalJWKSet(held)(header, token) : unavailable(issuer);
        }
        try {
          return await remote(header, token);
        } catch (err) {
          if (!isNoMatch(err)) state.failedAt = now();
          throw err;
        }
      };
      return state.keys;
    } catch {
      state.failedAt = now();
      return unavailable(issuer);
    }
  }

  /** The person a token stands for, or UnauthorizedError saying why not. */
  return async function verify(token: string): Promise<Caller> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      return refuse('The bearer token is neither an API key nor a well-formed JWT.');
    }
    if (typeof header.alg !== 'string' || !(ALGORITHMS as readonly string[]).includes(header.alg)) {
      return refuse(`Tokens signed with ${JSON.stringify(String(header.alg ?? 'no algorithm')).slice(0, 40)} are not accepted; only ${ALGORITHMS.join(', ')}.`);
    }
    const issuer = typeof claims.iss === 'string' ? claims.iss : refuse('The token names no issuer (iss).');
    if (!couldBeIssuer(issuer)) return refuse(`The token's issuer ${JSON.stringify(issuer.slice(0, 100))}${issuer.length > 100 ? '…' : ''} is not an http(s) URL of at most ${ISSUER_LENGTH} characters; no organization can trust it.`);
    // A loopback issuer only in local mode, even if a directory entry stored before that rule names one.
    if (!localMode() && isLoopbackHostname(new URL(issuer).hostname)) return refuse(`The token's issuer ${JSON.stringify(issuer.slice(0, 100))} is on a loopback host; only npm start trusts one.`);
    // An organization trusting the issuer twice (the local provider and a directory entry) is one
    // organization: its last entry, the directory's, applies.
    const trusts = [...new Map((await deps.trustsOf(issuer)).map((t) => [t.orgId, t])).values()];
    if (!trusts.length) return refuse(`No organization trusts the issuer ${JSON.stringify(issuer.slice(0, 200))}.`);
    const keys = await keysOf(issuer);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        audience: [...new Set(trusts.map((t) => t.provider.audience))],
        algorithms: [...ALGORITHMS],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      return refuse(verificationDetail(err, issuer));
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const candidates = trusts.filter((t) => audiences.includes(t.provider.audience));
    const chosen = chooseOrganization(payload, candidates, issuer);
    const sub = String(payload.sub);
    const name = [payload.name, payload.preferred_username, sub].find((v): v is string => typeof v === 'string' && v.trim() !== '')!;
    const email = typeof payload.email === 'string' && payload.email_verified !== false && payload.email.length <= 254 ? payload.email : undefined;
    return { orgId: chosen.orgId, role: roleOf(payload, chosen.provider), keyId: '', person: { id: `${issuer}#${sub}`, name: displayName(name), ...(email ? { email } : {}) } };
  };
}

/** A name as the record shows it: control and bidirectional-override characters become spaces. */
const displayName = (name: string) => name.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]+/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 200) || 'unnamed';

const orgClaimOf = (t: IssuerTrust) => t.provider.orgClaim ?? DEFAULT_ORG_CLAIM;

/**
 * The organization the token acts for. Each trust is judged by its own org claim: a trust matches
 * only when the token's value for that trust's claim is that trust's organization. (Reading the
 * claim of one trust and accepting it for another let an organization's admin pick a claim its
 * people control and act for anyone.) A token naming no organization may act only for an issuer
 * that a single organization trusts, and only if it names no other.
 */
function chooseOrganization(payload: JWTPayload, trusts: IssuerTrust[], issuer: string): IssuerTrust {
  const matches = trusts.filter((t) => payload[orgClaimOf(t)] === t.orgId);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) return refuse(`The token of ${issuer} names more than one organization; it must name exactly one.`);
  const named = trusts.map((t) => payload[orgClaimOf(t)]).find((v) => v !== undefined);
  if (named !== undefined) return refuse(`A token of ${issuer} may not act for ${JSON.stringify(String(named).slice(0, 60))}: that organization does not trust this issuer.`);
  if (trusts.length === 1) return trusts[0]!;
  return refuse(`Several organizations trust ${issuer}; the token must name its organization (claim "${orgClaimOf(trusts[0]!)}").`);
}

function verificationDetail(err: unknown, issuer: string): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired.';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'The token is not valid yet.';
    if (err.claim === 'aud') return 'The token is not meant for Concord (aud).';
    if (err.claim === 'iss') return 'The token\'s issuer does not match.';
    return `The token's ${err.claim} claim is missing or invalid.`;
  }
  if (err instanceof errors.JWKSNoMatchingKey) return `No key of ${issuer} matches the token (kid); keys are fetched again at most once a minute.`;
  if (err instanceof UnauthorizedError) return err.message;
  if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError) || err.code === 'ERR_JOSE_GENERIC') return `The keys of ${issuer} could not be fetched; try again in a minute.`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The token\'s signature does not verify with the issuer\'s keys.';
  if (err instanceof errors.JOSEAlgNotAllowed) return `The token's algorithm is not accepted; only ${ALGORITHMS.join(', ')}.`;
  return 'The token could not be verified.';
}
