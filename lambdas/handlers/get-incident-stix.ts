import { httpHandler, type Input } from '../http/handler';
import { TAXII_ROUTES as ROUTES } from '../http/taxii-routes';
import { STIX_MEDIA_TYPE } from '../http/taxii';
import { PRIVATE } from '../http/responses';
import { stringifyJson } from '../shared/json';
import { taxiiService } from '../wiring/taxii';

/** The incident as a STIX 2.1 bundle, for whoever may see it (404 otherwise, as GET /v1/incidents/{id}). */
export async function getIncidentStix({ caller, params }: Input<typeof ROUTES.getIncidentStix>) {
  const bundle = await (await taxiiService()).exportBundle(caller, params.id!);
  return { statusCode: 200, headers: { 'content-type': STIX_MEDIA_TYPE, ...PRIVATE }, body: stringifyJson(bundle) };
}

export const handler = httpHandler(ROUTES.getIncidentStix, getIncidentStix);
