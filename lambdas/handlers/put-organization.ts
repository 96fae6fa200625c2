/**
 * Writing an organization's entry: PUT /v1/organizations/{id} and PUT /v1/organizations/{id}/chat
 * (its Slack and Teams channels). One function serves both (the service stack stays within
 * CloudFormation's 500 resources); API Gateway names the route in `resource`.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { adminAction } from '../wiring/audit';
import { organizations } from '../wiring/organizations';
import { container } from '../wiring/incidents';
import { shownChannel, withChatShown } from '../domain/chat';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function putOrganization({ caller, params, body }: Input<typeof ROUTES.putOrganization>) {
  const id = params.id!;
  const directory = await organizations();
  const { created, organization } = await adminAction(caller, 'organization.put', `organization ${id}`, (allowed) => directory.putOrganization(id, body, caller, allowed));
  return json(created ? 201 : 200, withChatShown(organization), created ? { location: `/v1/organizations/${id}` } : {});
}

/** Connects the organization's chat channels: its own admin only; the answer shows Teams URLs without their query. */
export async function putChat({ caller, params, body }: Input<typeof ROUTES.putChat>) {
  const id = params.id!;
  const { directory } = await container();
  const chat = await adminAction(caller, 'organization.chat', `chat channels of ${id}`, (allowed) => directory.putChat(id, body, caller, allowed));
  return json(200, { channels: chat.channels.map(shownChannel) });
}

const organizationHandler = httpHandler(ROUTES.putOrganization, putOrganization);
const chatHandler = httpHandler(ROUTES.putChat, putChat);

export const handler = (event: APIGatewayProxyEvent, context: Context) =>
  (event.resource === ROUTES.putChat.path ? chatHandler(event, context) : organizationHandler(event, context));
