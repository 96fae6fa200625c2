import { adminAction } from '../wiring/audit';
import { container } from '../wiring/incidents';
import { shownChannel } from '../domain/chat';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function putChat({ caller, params, body }: Input<typeof ROUTES.putChat>) {
  const id = params.id!;
  const { directory } = await container();
  const chat = await adminAction(caller, 'organization.chat', `chat channels of ${id}`, (allowed) => directory.putChat(id, body, caller, allowed));
  return json(200, { channels: chat.channels.map(shownChannel) });
}

export const handler = httpHandler(ROUTES.putChat, putChat);
