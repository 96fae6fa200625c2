import { container } from '../wiring/incidents';
import { withChatShown } from '../domain/chat';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

/**
 * The directory. Managers see organizations without their push endpoints: an endpoint's URL (its
 * path or query) is often the secret that lets a push in; admins, who manage them, see them.
 * Teams webhook URLs are shown to no one with their query (its `sig` lets anyone post to the channel).
 */

export async function listOrganizations({ caller }: Input<typeof ROUTES.listOrganizations>) {
  const { directory } = await container();
  const items = (await directory.listOrganizations()).map(withChatShown);
  return json(200, { items: caller.role === 'admin' ? items : items.map(({ endpoints: _endpoints, ...org }) => org) });
}

export const handler = httpHandler(ROUTES.listOrganizations, listOrganizations);
