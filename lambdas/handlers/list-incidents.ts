import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function listIncidents({ caller, query }: Input<typeof ROUTES.listIncidents>) {
  const { incidents, cursors: codec } = await container();
  const cursors = await codec();
  const { cursor, limit, ...filters } = query;
  const after = cursor ? cursors.decodeList(cursor, caller, filters) : undefined;
  const page = await incidents.list(caller, { ...filters, limit, after });
  return json(200, { items: page.items, nextCursor: page.lastId ? cursors.encodeList(page.lastId, caller, filters) : null });
}

export const handler = httpHandler(ROUTES.listIncidents, listIncidents);
