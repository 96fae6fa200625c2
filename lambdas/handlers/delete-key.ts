import { container } from '../wiring/incidents';
import { NotFoundError } from '../domain/errors';
import { httpHandler, type Input } from '../http/handler';
import { noContent } from '../http/responses';
import { ROUTES } from '../http/routes';

const KEY_ID = /^key_[0-9a-f]{24}$/;

export async function deleteKey({ params }: Input<typeof ROUTES.deleteKey>) {
  if (!KEY_ID.test(params.keyId!)) throw new NotFoundError(`No key ${params.keyId}.`);
  const { directory } = await container();
  await directory.revokeKey(params.keyId!);
  return noContent();
}

export const handler = httpHandler(ROUTES.deleteKey, deleteKey);
