import { adminAction } from '../wiring/audit';
import { notifications } from '../wiring/notifications';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function replayNotifications({ caller, body }: Input<typeof ROUTES.replayNotifications>) {
  const { notifier } = await notifications();
  return json(200, await adminAction(caller, 'notifications.replay', `up to ${body.limit ?? 100} failed deliveries`, async (allowed) => { await allowed(); return notifier.replayFailed(body.limit); }));
}

export const handler = httpHandler(ROUTES.replayNotifications, replayNotifications);
