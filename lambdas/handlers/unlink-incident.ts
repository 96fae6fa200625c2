import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { noContent } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function unlinkIncident({ caller, params }: Input<typeof ROUTES.unlinkIncident>) {
  const { incidents } = await container();
  await incidents.unlink(caller, params.id!, params.otherId!);
  return noContent();
}

export const handler = httpHandler(ROUTES.unlinkIncident, unlinkIncident);
