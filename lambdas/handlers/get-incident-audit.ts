import { redactFor } from '../domain/audit-entry';
import { container } from '../wiring/incidents';
import { cursorsAhead } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

/** Who read and who changed an incident, oldest first: for its participants. */
export async function getIncidentAudit({ caller, params, query }: Input<typeof ROUTES.getIncidentAudit>) {
  const cursors = cursorsAhead();
  const { incidents } = await container();
  const id = params.id!;
  const listing = ['incident', id];
  const after = query.cursor ? (await cursors.decoding(query.cursor)).decodeAudit(query.cursor, caller, listing) : undefined;
  const page = await incidents.auditOf(caller, id, { limit: query.limit, after, ready: cursors.before });
  return json(200, { items: page.items.map((e) => redactFor(caller.orgId, e)), nextCursor: page.last === null ? null : (await cursors()).encodeAudit(page.last, caller, listing) });
}

export const handler = httpHandler(ROUTES.getIncidentAudit, getIncidentAudit);
