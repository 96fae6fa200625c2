import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function getIncident({ caller, params }: Input<typeof ROUTES.getIncident>) {
  const { incidents } = await container();
  return incidentJson(200, await incidents.get(caller, params.id!));
}

export const handler = httpHandler(ROUTES.getIncident, getIncident);
