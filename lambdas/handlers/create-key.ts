import { container } from '../container';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';
import { ORG_ID_PATTERN } from '../http/schemas';
import { NotFoundError } from '../domain/errors';

export async function createKey({ params, body }: Input<typeof ROUTES.createKey>) {
  if (!ORG_ID_PATTERN.test(params.id!)) throw new NotFoundError(`No organization ${params.id}.`);
  const { directory } = await container();
  return json(201, await directory.createKey(params.id!, body.role, body.defaults), { 'cache-control': 'no-store' });
}

export const handler = httpHandler(ROUTES.createKey, createKey);
