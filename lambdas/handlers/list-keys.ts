import { container } from '../wiring/incidents';
import { NotFoundError } from '../domain/errors';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';
import { ORG_ID_PATTERN } from '../http/schemas';

export async function listKeys({ params }: Input<typeof ROUTES.listKeys>) {
  if (!ORG_ID_PATTERN.test(params.id!)) throw new NotFoundError(`No organization ${params.id}.`);
  const { directory } = await container();
  return json(200, { items: await directory.listKeys(params.id!) }, { 'cache-control': 'no-store' });
}

export const handler = httpHandler(ROUTES.listKeys, listKeys);
