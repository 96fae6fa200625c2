/**
 * The Lambda REQUEST authorizer. API Gateway caches its answer per Authorization header (at most
 * 60 s); the handlers read `orgId`, `role` and `keyId` from `requestContext.authorizer`.
 * An unknown key throws `Unauthorized`, which API Gateway answers with 401.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { container } from '../wiring/incidents';
import { UnauthorizedError } from '../domain/errors';
import type { Caller } from '../domain/incident';
import { headerIn } from '../http/request';

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;
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

/** The caller the request's key stands for, or UnauthorizedError. */
export async function authenticate(headers: Record<string, string | undefined> | null): Promise<Caller> {
  const key = credentialIn(headers);
  if (!key) throw new UnauthorizedError('A valid API key is required: Authorization: Bearer <key> (or HTTP Basic with the key as the password).');
  const { directory } = await container();
  return directory.authenticate(key);
}

/** Allows every method of the API for this caller: roles are checked by each handler. */
export function policyFor(caller: Caller, methodArn: string): APIGatewayAuthorizerResult {
  const [arnPrefix, stage] = methodArn.split('/');
  return {
    principalId: `${caller.orgId}/${caller.keyId}`,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix}/${stage}/*` }],
    },
    context: { orgId: caller.orgId, role: caller.role, keyId: caller.keyId },
  };
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    return policyFor(await authenticate(event.headers), event.methodArn);
  } catch (err) {
    if (err instanceof UnauthorizedError) throw new Error('Unauthorized');
    throw err;
  }
}
