import { auditedAction } from '../domain/audit';
import { adapters } from '../wiring/adapters';
import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { noContent } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function deleteKey({ caller, params }: Input<typeof ROUTES.deleteKey>) {
  const { directory } = await container();
  const { auditLog, clock } = adapters();
  await auditedAction(auditLog, clock, caller, 'key.revoke', `key ${params.keyId!}`, () => directory.revokeKey(params.keyId!));
  return noContent();
}

export const handler = httpHandler(ROUTES.deleteKey, deleteKey);
