import { container } from '../wiring/incidents';
import { cursors as cursorCodec } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function listIncidents({ caller, query }: Input<typeof ROUTES.listIncidents>) {
  const { incidents } = await container();
  const cursors = await cursorCodec();
  const { cursor, limit, ...filters } = query;
  const after = cursor ? cursors.decodeList(cursor, caller, filters) : undefined;
  const page = await incidents.list(caller, { ...filters, limit, after });
  return json(200, { items: page.items, nextCursor: page.lastId ? cursors.encodeList(page.lastId, caller, filters) : null });
}

export const handler = httpHandler(ROUTES.listIncidents, listIncidents);
