import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function listKeys({ params }: Input<typeof ROUTES.listKeys>) {
  const { directory } = await container();
  return json(200, { items: await directory.listKeys(params.id!) }, { 'cache-control': 'no-store' });
}

export const handler = httpHandler(ROUTES.listKeys, listKeys);
