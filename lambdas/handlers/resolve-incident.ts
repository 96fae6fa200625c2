import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function resolveIncident({ caller, params, body }: Input<typeof ROUTES.resolveIncident>) {
  const { incidents } = await container();
  return incidentJson(200, await incidents.resolve(caller, params.id!, body.resolution));
}

export const handler = httpHandler(ROUTES.resolveIncident, resolveIncident);
