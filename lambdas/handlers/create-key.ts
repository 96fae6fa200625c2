import { keys } from '../wiring/keys';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function createKey({ caller, params, body }: Input<typeof ROUTES.createKey>) {
  return json(201, await (await keys()).createKey(caller, params.id!, body.role, body.defaults), { 'cache-control': 'no-store' });
}

export const handler = httpHandler(ROUTES.createKey, createKey);
