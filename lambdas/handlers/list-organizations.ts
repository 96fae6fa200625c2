import { container } from '../wiring/incidents';
import { httpHandler } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function listOrganizations() {
  const { directory } = await container();
  return json(200, { items: await directory.listOrganizations() });
}

export const handler = httpHandler(ROUTES.listOrganizations, listOrganizations);
