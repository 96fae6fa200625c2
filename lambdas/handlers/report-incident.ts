import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { incidentJson } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function reportIncident({ caller, body }: Input<typeof ROUTES.reportIncident>) {
  const { incidents } = await container();
  const { created, incident } = await incidents.report(caller, body);
  return created
    ? incidentJson(201, incident, { location: `/v1/incidents/${incident.id}` })
    : incidentJson(200, incident, { 'content-location': `/v1/incidents/${incident.id}` });
}

export const handler = httpHandler(ROUTES.reportIncident, reportIncident);
