import { keys } from '../wiring/keys';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';
import { ORG_ID_PATTERN } from '../http/schemas';
import { NotFoundError } from '../domain/errors';

export async function createKey({ caller, params, body }: Input<typeof ROUTES.createKey>) {
  if (!ORG_ID_PATTERN.test(params.id!)) throw new NotFoundError(`No organization ${params.id}.`);
  return json(201, await (await keys()).createKey(caller, params.id!, body.role, body.defaults), { 'cache-control': 'no-store' });
}

export const handler = httpHandler(ROUTES.createKey, createKey);
