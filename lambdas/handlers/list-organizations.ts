import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

/**
 * The directory. Managers see organizations without their push endpoints: an endpoint's URL (its
 * path or query) is often the secret that lets a push in; admins, who manage them, see them.
 */
export async function listOrganizations({ caller }: Input<typeof ROUTES.listOrganizations>) {
  const { directory } = await container();
  const items = await directory.listOrganizations();
  return json(200, { items: caller.role === 'admin' ? items : items.map(({ endpoints: _endpoints, ...org }) => org) });
}

export const handler = httpHandler(ROUTES.listOrganizations, listOrganizations);
