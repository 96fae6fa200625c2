import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function acknowledgeIncident({ caller, params, body }: Input<typeof ROUTES.acknowledgeIncident>) {
  const { incidents } = await container();
  return incidentJson(200, await incidents.acknowledge(caller, params.id!, body));
}

export const handler = httpHandler(ROUTES.acknowledgeIncident, acknowledgeIncident);
