import { container } from '../container';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export async function getTimeline({ caller, params }: Input<typeof ROUTES.getTimeline>) {
  const { incidents } = await container();
  return json(200, { events: await incidents.timeline(caller, params.id!) });
}

export const handler = httpHandler(ROUTES.getTimeline, getTimeline);
