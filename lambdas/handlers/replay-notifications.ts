import { adminAction } from '../wiring/audit';
import { notifications } from '../wiring/notifications';
import { chatNotifier } from '../wiring/chat';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

/** Replays failed SNS deliveries, then failed chat deliveries (Slack, Teams), each up to `limit`; the counts are their sums. */
export async function replayNotifications({ caller, body }: Input<typeof ROUTES.replayNotifications>) {
  const { notifier } = await notifications();
  const chat = await chatNotifier();
  return json(200, await adminAction(caller, 'notifications.replay', `up to ${body.limit ?? 100} failed deliveries`, async (allowed) => {
    await allowed();
    const sns = await notifier.replayFailed(body.limit);
    const chats = await chat.replayFailed(body.limit);
    return { replayed: sns.replayed + chats.replayed, failed: sns.failed + chats.failed };
  }));
}

export const handler = httpHandler(ROUTES.replayNotifications, replayNotifications);
