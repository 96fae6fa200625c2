import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function linkIncident({ caller, params, body }: Input<typeof ROUTES.linkIncident>) {
  const { incidents } = await container();
  const { incident, created } = await incidents.link(caller, params.id!, body);
  return incidentJson(created ? 201 : 200, incident);
}

export const handler = httpHandler(ROUTES.linkIncident, linkIncident);
