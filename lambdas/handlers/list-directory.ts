/**
 * `GET /v1/directory`: who can take part in an incident, for anyone signed in — the report form
 * picks participants from it. Ids, names and kinds only: no contacts, no identity settings, no keys
 * (partners may not read `GET /v1/organizations`, which carries contacts).
 */
import { container } from '../wiring/incidents';
import { httpHandler } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function listDirectory() {
  const { directory } = await container();
  const items = (await directory.listOrganizations()).map(({ id, name, kind }) => ({ id, name, kind }));
  return json(200, { items });
}

export const handler = httpHandler(ROUTES.listDirectory, listDirectory);
