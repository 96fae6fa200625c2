/**
 * Slack's requests to an organization: interactivity (the Acknowledge button) and the `/concord`
 * slash command. The body is read raw and its `v0` signature verified (integrations/slack.ts)
 * before anything is parsed; a request that fails is 401, recorded as a refused authentication,
 * and changes nothing. The answer is an ephemeral message, given at once (Slack waits 3 s): an
 * acknowledgement is one conditional write, and the channel's message follows through the stream.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { auditEntry } from '../domain/audit-entry';
import { UnauthorizedError } from '../domain/errors';
import { httpHandler, type Input } from '../http/handler';
import { MAX_BODY_BYTES, rawBody } from '../http/request';
import { PayloadTooLargeError } from '../http/errors';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';
import { ORG_ID_PATTERN } from '../http/schemas';
import { ephemeral, parseCommand, parseInteraction, verifySlackSignature } from '../integrations/slack';
import { logger } from '../runtime/logger';
import { slackRequests } from '../wiring/slack-requests';

const REFUSED = 'The request does not carry a valid Slack signature (X-Slack-Signature over the raw body with the organization\'s signing secret, X-Slack-Request-Timestamp within 5 minutes).';

export async function receiveSlack({ params, requestId }: Input<typeof ROUTES.slackCommands>, event: APIGatewayProxyEvent) {
  const { credentials, directory, commands, audit, clock } = await slackRequests();
  let body: string | null;
  try {
    body = rawBody(event);
  } catch {
    body = null;
  }
  if (body !== null && Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
  const orgId = params.orgId ?? '';
  const org = body !== null && ORG_ID_PATTERN.test(orgId) ? await directory.getOrganization(orgId) : null;
  const secret = org ? (await credentials(org.id))?.signingSecret : undefined;
  const verified = body !== null && secret !== undefined && verifySlackSignature({ secret, headers: event.headers, body, nowSeconds: Math.floor(clock.now().getTime() / 1000) });
  if (!verified || !org) {
    try {
      await audit.append([auditEntry({ actor: { orgId: 'unknown', by: null, via: 'slack' }, requestId }, 'authenticate', clock.now().toISOString(), 'denied', {}, `Slack request for ${ORG_ID_PATTERN.test(orgId) ? `organization ${orgId}` : 'a path that names no organization id'} without a valid signature`)]);
    } catch (error) {
      logger.error('a refused Slack request could not be audited', { requestId, error });
    }
    throw new UnauthorizedError(REFUSED);
  }
  const form = new URLSearchParams(body!);
  const path = event.resource ?? event.path ?? '';
  const request = path.endsWith('/commands') ? parseCommand(form) : parseInteraction(form);
  return json(200, ephemeral(await commands.handle(org, request, requestId)));
}

export const handler = httpHandler(ROUTES.slackCommands, receiveSlack);
