import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function postStatusUpdate({ caller, params, body }: Input<typeof ROUTES.postStatusUpdate>) {
  const { incidents } = await container();
  const { event, version } = await incidents.postUpdate(caller, params.id!, body);
  // The answer is the timeline event; the ETag is the incident's version after it.
  return json(201, event, { etag: `"${version}"` });
}

export const handler = httpHandler(ROUTES.postStatusUpdate, postStatusUpdate);
