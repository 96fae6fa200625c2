import { adminAction } from '../wiring/audit';
import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { noContent } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function deleteKey({ caller, params }: Input<typeof ROUTES.deleteKey>) {
  const { directory } = await container();
  await adminAction(caller, 'key.revoke', `key ${params.keyId!}`, (allowed) => directory.revokeKey(params.keyId!, allowed));
  return noContent();
}

export const handler = httpHandler(ROUTES.deleteKey, deleteKey);
