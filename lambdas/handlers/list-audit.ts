import { container } from '../wiring/incidents';
import { cursorsAhead } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

/** The whole audit trail in a window, oldest first: for admins. */
export async function listAudit({ caller, query }: Input<typeof ROUTES.listAudit>) {
  const cursors = cursorsAhead();
  const { auditTrail } = await container();
  // A cursor is bound to the window and filters it was issued for; a default `to` is "now" on each page.
  const listing = ['window', query.from ?? null, query.to ?? null, query.orgId ?? null, query.action ?? null];
  const after = query.cursor ? (await cursors.decoding(query.cursor)).decodeAudit(query.cursor, caller, listing) : undefined;
  const page = await auditTrail.between(caller, { ...query, after });
  return json(200, { items: page.items, nextCursor: page.last === null ? null : (await cursors()).encodeAudit(page.last, caller, listing) });
}

export const handler = httpHandler(ROUTES.listAudit, listAudit);
