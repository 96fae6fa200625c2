/**
 * The read side of observables: related incidents (`GET /v1/incidents/{id}/related`) and the
 * lookup (`GET /v1/observables`). One function, dispatched by the route the request matched (as
 * TAXII's): both read the correlation index, sign cursors and record restricted hits.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { container } from '../wiring/incidents';
import { cursors as cursorCodec } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';
import { canonicalList, observableKey } from '../domain/observables';

export async function getRelated({ caller, params, query }: Input<typeof ROUTES.getRelated>) {
  const { incidents } = await container();
  const cursors = await cursorCodec();
  const id = params.id!;
  const after = query.cursor ? cursors.decodeRelated(query.cursor, caller, id) : undefined;
  const page = await incidents.related(caller, id, { limit: query.limit, after });
  return json(200, { items: page.items, nextCursor: page.lastId ? cursors.encodeRelated(page.lastId, caller, id) : null });
}

export async function lookupObservable({ caller, query }: Input<typeof ROUTES.lookupObservable>) {
  const { incidents } = await container();
  const cursors = await cursorCodec();
  const { cursor, limit, ...wanted } = query;
  // A cursor continues the lookup of one observable, whichever spelling asked for it.
  const identity = observableKey(canonicalList([wanted], 'query')[0]!);
  const after = cursor ? cursors.decodeLookup(cursor, caller, identity) : undefined;
  const page = await incidents.lookup(caller, wanted, { limit, after });
  return json(200, { observable: page.observable, items: page.items, nextCursor: page.lastId ? cursors.encodeLookup(page.lastId, caller, identity) : null });
}

const related = httpHandler(ROUTES.getRelated, getRelated);
const lookup = httpHandler(ROUTES.lookupObservable, lookupObservable);

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  return (event.resource === ROUTES.lookupObservable.path ? lookup : related)(event, context);
}
