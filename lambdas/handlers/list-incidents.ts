import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { container } from '../wiring/incidents';
import { canonicalList, observableKey } from '../domain/observables';
import { cursorsAhead } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function listIncidents({ caller, query }: Input<typeof ROUTES.listIncidents>) {
  const cursors = cursorsAhead();
  const { incidents } = await container();
  const { cursor, limit, ...filters } = query;
  const after = cursor ? (await cursors.decoding(cursor)).decodeList(cursor, caller, filters) : undefined;
  const page = await incidents.list(caller, { ...filters, limit, after, ready: cursors.before });
  return json(200, { items: page.items, nextCursor: page.lastId ? (await cursors()).encodeList(page.lastId, caller, filters) : null });
}

export async function getRelated({ caller, params, query }: Input<typeof ROUTES.getRelated>) {
  const cursors = cursorsAhead();
  const { incidents } = await container();
  const id = params.id!;
  const after = query.cursor ? (await cursors.decoding(query.cursor)).decodeRelated(query.cursor, caller, id) : undefined;
  const page = await incidents.related(caller, id, { limit: query.limit, after, ready: cursors.before });
  return json(200, { items: page.items, nextCursor: page.lastId ? (await cursors()).encodeRelated(page.lastId, caller, id) : null });
}

export async function lookupObservable({ caller, query }: Input<typeof ROUTES.lookupObservable>) {
  const cursors = cursorsAhead();
  const { incidents } = await container();
  const { cursor, limit, ...wanted } = query;
  // A cursor continues the lookup of one observable, whichever spelling asked for it.
  const identity = observableKey(canonicalList([wanted], 'query')[0]!);
  const after = cursor ? (await cursors.decoding(cursor)).decodeLookup(cursor, caller, identity) : undefined;
  const page = await incidents.lookup(caller, wanted, { limit, after, ready: cursors.before });
  return json(200, { observable: page.observable, items: page.items, nextCursor: page.lastId ? (await cursors()).encodeLookup(page.lastId, caller, identity) : null });
}

const list = httpHandler(ROUTES.listIncidents, listIncidents);
const related = httpHandler(ROUTES.getRelated, getRelated);
const lookup = httpHandler(ROUTES.lookupObservable, lookupObservable);

/**
 * The incident lists, by the route the request matched: the caller's list, the incidents related to
 * one (sharing an observable, or linked), and those carrying an observable (the lookup). One
 * function: they read and sign cursors and record restricted incidents alike (and the service stack
 * stays within CloudFormation's 500 resources).
 */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const served = event.resource === ROUTES.lookupObservable.path ? lookup : event.resource === ROUTES.getRelated.path ? related : list;
  return served(event, context);
}
