import { container } from '../wiring/incidents';
import { cursorsAhead } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function getTimeline({ caller, params, query }: Input<typeof ROUTES.getTimeline>) {
  const cursors = cursorsAhead();
  const { incidents } = await container();
  const id = params.id!;
  const after = query.cursor ? (await cursors.decoding(query.cursor)).decodeTimeline(query.cursor, caller, id) : undefined;
  const page = await incidents.timeline(caller, id, { limit: query.limit, after, ready: cursors.before });
  return json(200, { events: page.events, nextCursor: page.lastSeq === null ? null : (await cursors()).encodeTimeline(page.lastSeq, caller, id) });
}

export const handler = httpHandler(ROUTES.getTimeline, getTimeline);
