import { container } from '../container';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function replayNotifications({ body }: Input<typeof ROUTES.replayNotifications>) {
  const { notifier } = await container();
  return json(200, await notifier.replayFailed(body.limit));
}

export const handler = httpHandler(ROUTES.replayNotifications, replayNotifications);
