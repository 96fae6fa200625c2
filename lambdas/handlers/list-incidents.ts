import { container } from '../container';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function listIncidents({ caller, query }: Input<typeof ROUTES.listIncidents>) {
  const { incidents, cursors: codec } = await container();
  const cursors = await codec();
  const { cursor, ...filters } = query;
  const page = await incidents.list(caller, { ...filters, after: cursor ? cursors.decode(cursor) : undefined });
  return json(200, { items: page.items, nextCursor: page.lastId ? cursors.encode(page.lastId) : null });
}

export const handler = httpHandler(ROUTES.listIncidents, listIncidents);
