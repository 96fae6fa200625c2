import { UnsupportedMediaTypeError } from '../http/errors';
import type { Input } from '../http/handler';
import { header } from '../http/request';
import { TAXII_ROUTES as ROUTES } from '../http/taxii-routes';
import { TAXII_MEDIA_TYPE, isTaxiiContentType, taxiiHandler, taxiiJson } from '../http/taxii';
import { taxiiService } from '../wiring/taxii';

/** POST …/collections/{id}/objects/ (partners): 202 with the TAXII status resource (integrations/taxii-service.ts). */
export async function addObjects({ caller, params, body }: Input<typeof ROUTES.taxiiAddObjects>) {
  return taxiiJson(202, await (await taxiiService()).addObjects(caller, params.collectionId!, body.objects));
}

function requireTaxiiContentType(event: Parameters<typeof header>[0]): void {
  const type = header(event, 'content-type');
  if (!isTaxiiContentType(type)) {
    throw new UnsupportedMediaTypeError(`Send the envelope as ${TAXII_MEDIA_TYPE} (got ${type ? JSON.stringify(type.slice(0, 100)) : 'none'}).`);
  }
}

export const handler = taxiiHandler(ROUTES.taxiiAddObjects, addObjects, requireTaxiiContentType);
