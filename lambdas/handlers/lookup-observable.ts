import { container } from '../wiring/incidents';
import { cursors as cursorCodec } from '../wiring/secrets';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';
import { canonicalList, observableKey } from '../domain/observables';

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

export const handler = httpHandler(ROUTES.lookupObservable, lookupObservable);
