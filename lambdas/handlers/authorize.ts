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

/** The caller the request's key stands for, or UnauthorizedError. */
export async function authenticate(headers: Record<string, string | undefined> | null): Promise<Caller> {
  const value = headerIn(headers, 'authorization');
  const key = value ? BEARER.exec(value)?.[1] : undefined;
  if (!key) throw new UnauthorizedError('A valid API key is required: Authorization: Bearer <key>.');
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
