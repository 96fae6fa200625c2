/**
 * The Lambda REQUEST authorizer, for systems' API keys and people's tokens alike. API Gateway
 * caches its answer per Authorization header (at most 60 s); the handlers read the caller from
 * `requestContext.authorizer` (`contextOf`). A refused credential is recorded in the audit trail
 * and throws `Unauthorized`, which API Gateway answers with 401.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { looksLikeJwt } from '../adapters/oidc/token-verifier';
import { auditEntry } from '../domain/audit-entry';
import { UnauthorizedError } from '../domain/errors';
import type { Caller } from '../domain/actor';
import { authorizationCount, headerIn } from '../http/request';
import { logger } from '../runtime/logger';
import { container } from '../wiring/incidents';
import { authentication } from '../wiring/people';

const BEARER = /^Bearer\s+(\S{1,8192})\s*$/i;
const BASIC = /^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i;

/**
 * The credential an Authorization header presents: `Bearer <key>`, or HTTP Basic with the key as
 * the password (the user name is ignored), which many TAXII clients send.
 */
export function credentialIn(headers: Record<string, string | undefined> | null): string | undefined {
  const value = headerIn(headers, 'authorization');
  if (!value) return undefined;
  const bearer = BEARER.exec(value)?.[1];
  if (bearer) return bearer;
  const basic = BASIC.exec(value)?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return /^\S{1,512}$/.test(password) ? password : undefined;
}

async function callerFor(credential: string | undefined): Promise<Caller> {
  if (!credential) throw new UnauthorizedError('A valid API key or token is required: Authorization: Bearer <key or token> (or HTTP Basic with the key as the password).');
  if (looksLikeJwt(credential)) return (await authentication()).verifyToken(credential);
  return (await container()).directory.authenticate(credential);
}

/**
 * The caller the request's credential stands for (an API key, or a person's JWT), or
 * UnauthorizedError. Every refusal is recorded in the audit trail (never the credential).
 */
export async function authenticate(headers: Record<string, string | undefined> | null, requestId = 'unknown'): Promise<Caller> {
  try {
    return await callerFor(credentialIn(headers));
  } catch (err) {
    if (err instanceof UnauthorizedError) await recordRefusal(err.message, requestId);
    throw err;
  }
}

/** A refusal that cannot be recorded is still refused: the log says so, the caller gets its 401. */
async function recordRefusal(detail: string, requestId: string): Promise<void> {
  try {
    const { audit, clock } = await authentication();
    await audit.append([auditEntry({ actor: { orgId: 'unknown', by: null, via: 'api' }, requestId }, 'authenticate', clock.now().toISOString(), 'denied', {}, detail)]);
  } catch (error) {
    logger.error('a refused authentication could not be audited', { requestId, error });
  }
}

/** What API Gateway passes on to the handlers (strings only); `callerFrom` reads it back. */
export function contextOf(caller: Caller): Record<string, string> {
  return {
    orgId: caller.orgId, role: caller.role, keyId: caller.keyId,
    ...(caller.person ? { personId: caller.person.id, personName: caller.person.name, ...(caller.person.email ? { personEmail: caller.person.email } : {}) } : {}),
  };
}

/** Allows every method of the API for this caller: roles are checked by each handler. */
export function policyFor(caller: Caller, methodArn: string): APIGatewayAuthorizerResult {
  const [arnPrefix, stage] = methodArn.split('/');
  return {
    principalId: caller.person ? `${caller.orgId}/${caller.person.id}` : `${caller.orgId}/${caller.keyId}`,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix}/${stage}/*` }],
    },
    context: contextOf(caller),
  };
}

/**
 * Two Authorization headers: an authorizer can only allow, deny (401) or fail (500), so it lets the
 * request on naming no caller (no organization, no role: `callerFrom` reads none, so no handler acts
 * for anyone), and the handler answers 400 (`assertOneAuthorization`, which it checks first).
 */
export function ambiguousCredentials(methodArn: string): APIGatewayAuthorizerResult {
  const [arnPrefix, stage] = methodArn.split('/');
  return {
    principalId: 'two-authorization-headers',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix}/${stage}/*` }] },
    context: { credentials: 'ambiguous' },
  };
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  if (authorizationCount(event) > 1) return ambiguousCredentials(event.methodArn);
  try {
    return policyFor(await authenticate(event.headers, event.requestContext?.requestId), event.methodArn);
  } catch (err) {
    if (err instanceof UnauthorizedError) throw new Error('Unauthorized');
    throw err;
  }
}
