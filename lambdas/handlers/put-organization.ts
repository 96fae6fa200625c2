import { adminAction } from '../wiring/audit';
import { organizations } from '../wiring/organizations';
import { withChatShown } from '../domain/chat';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function putOrganization({ caller, params, body }: Input<typeof ROUTES.putOrganization>) {
  const id = params.id!;
  const directory = await organizations();
  const { created, organization } = await adminAction(caller, 'organization.put', `organization ${id}`, (allowed) => directory.putOrganization(id, body, caller, allowed));
  return json(created ? 201 : 200, withChatShown(organization), created ? { location: `/v1/organizations/${id}` } : {});
}

export const handler = httpHandler(ROUTES.putOrganization, putOrganization);
