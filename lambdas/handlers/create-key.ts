import { adminAction } from '../wiring/audit';
import { keys } from '../wiring/keys';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function createKey({ caller, params, body }: Input<typeof ROUTES.createKey>) {
  const issued = await adminAction(caller, 'key.create', `${body.role} key for organization ${params.id!}`, async (allowed) => (await keys()).createKey(caller, params.id!, body.role, body.defaults, allowed));
  return json(201, issued, { 'cache-control': 'no-store' });
}

export const handler = httpHandler(ROUTES.createKey, createKey);
