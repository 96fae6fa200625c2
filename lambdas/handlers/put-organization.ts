import { adminAction } from '../wiring/audit';
import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function putOrganization({ caller, params, body }: Input<typeof ROUTES.putOrganization>) {
  const id = params.id!;
  const { directory } = await container();
  const { created, organization } = await adminAction(caller, 'organization.put', `organization ${id}`, () => directory.putOrganization(id, body, caller));
  return json(created ? 201 : 200, organization, created ? { location: `/v1/organizations/${id}` } : {});
}

export const handler = httpHandler(ROUTES.putOrganization, putOrganization);
