import { container } from '../wiring/incidents';
import { cursors as cursorCodec } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function getRelated({ caller, params, query }: Input<typeof ROUTES.getRelated>) {
  const { incidents } = await container();
  const cursors = await cursorCodec();
  const id = params.id!;
  const after = query.cursor ? cursors.decodeRelated(query.cursor, caller, id) : undefined;
  const page = await incidents.related(caller, id, { limit: query.limit, after });
  return json(200, { items: page.items, nextCursor: page.lastId ? cursors.encodeRelated(page.lastId, caller, id) : null });
}

export const handler = httpHandler(ROUTES.getRelated, getRelated);
