/**
 * POST …/collections/{id}/objects/ (partners): each STIX `incident` of the envelope is reported
 * through the report use case, with its STIX id as the dedupKey, so posting it again changes
 * nothing, even after it is resolved; an incident Concord itself exported is recognised, not
 * added. Marking-definitions and identities that come with it are accepted as context (not
 * stored); any other object is a failure with its reason. The answer is a 202 with the TAXII
 * status resource, which GET …/status/{id}/ gives back to the same organization.
 */
import { randomUUID } from 'node:crypto';
import { DomainError, NotFoundError } from '../domain/errors';
import { inPool } from '../shared/pool';
import { UnsupportedMediaTypeError } from '../http/errors';
import type { Input } from '../http/handler';
import { fieldErrors, header } from '../http/request';
import { TAXII_ROUTES as ROUTES } from '../http/taxii-routes';
import { ReportIncidentBody } from '../http/schemas';
import { TAXII_MEDIA_TYPE, isTaxiiContentType, taxiiHandler, taxiiJson } from '../http/taxii';
import { concordIncidentOf, reportFromStix } from '../integrations/stix';
import { INCIDENTS_COLLECTION_ID, fitStatus, type StatusDetails, type TaxiiStatus } from '../integrations/taxii';
import { container } from '../wiring/incidents';
import { taxiiWriting } from '../wiring/taxii';
import { PARSE } from '../http/parse-options';

const CONTEXT_TYPES = new Set(['marking-definition', 'identity']);
/** Incidents reported at once from one envelope. */
const REPORTS_AT_ONCE = 8;

export async function addObjects({ caller, params, body }: Input<typeof ROUTES.taxiiAddObjects>) {
  if (params.collectionId !== INCIDENTS_COLLECTION_ID) throw new NotFoundError(`No collection ${params.collectionId!.slice(0, 64)}.`);
  const { incidents } = await container();
  const { statuses, directory } = await taxiiWriting();
  const requestTimestamp = new Date().toISOString();
  const key = caller.keyId ? await directory.getKey(caller.keyId) : null;
  const defaults = key?.orgId === caller.orgId ? key.defaults ?? {} : {};

  /** One object's outcome, judged alone: a success or a failure, each with its reason. */
  const judge = async (obj: (typeof body.objects)[number]): Promise<{ ok: boolean; detail: StatusDetails }> => {
    // TAXII's status details name each object's version; one that states none is named by the request's time.
    const version = typeof obj.modified === 'string' ? obj.modified : typeof obj.created === 'string' ? obj.created : requestTimestamp;
    const done = (ok: boolean, message: string) => ({ ok, detail: { id: obj.id, version, message } });
    if (CONTEXT_TYPES.has(obj.type)) return done(true, `accepted as context of the incidents; Concord does not store ${obj.type} objects`);
    if (obj.type !== 'incident') return done(false, `Concord's collection takes incident objects (and marking-definitions and identities with them); not ${obj.type.slice(0, 100)}`);
    if (obj.spec_version !== undefined && obj.spec_version !== '2.1') return done(false, 'only STIX 2.1 objects are accepted');
    // A platform syncing both ways posts back what it pulled: that is the incident, not a new one.
    const own = concordIncidentOf(obj);
    if (own) return done(true, `Concord's own incident ${own} (as Concord exports it); nothing changed`);
    const mapped = reportFromStix(obj, defaults);
    if (!mapped.ok) return done(false, mapped.reason);
    const checked = ReportIncidentBody.safeParse(mapped.input, PARSE);
    if (!checked.success) return done(false, fieldErrors(checked.error, 'incident').map((e) => `${e.path}: ${e.message}`).join('; ').slice(0, 1000));
    try {
      const { created, incident } = await incidents.report(caller, checked.data);
      return done(true, created ? `reported as ${incident.id}` : `already reported as ${incident.id}; nothing changed`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return done(false, err.message);
    }
  };
  // Several reports at once, so a full envelope is judged well within the function's time.
  const outcomes = await inPool(body.objects, REPORTS_AT_ONCE, judge);
  const successes = outcomes.filter((o) => o.ok).map((o) => o.detail);
  const failures = outcomes.filter((o) => !o.ok).map((o) => o.detail);

  const status: TaxiiStatus = fitStatus({
    id: randomUUID(),
    status: 'complete',
    request_timestamp: requestTimestamp,
    total_count: body.objects.length,
    success_count: successes.length,
    successes,
    failure_count: failures.length,
    failures,
    pending_count: 0,
    pendings: [],
  });
  await statuses.put(caller.orgId, status);
  return taxiiJson(202, status);
}

function requireTaxiiContentType(event: Parameters<typeof header>[0]): void {
  const type = header(event, 'content-type');
  if (!isTaxiiContentType(type)) {
    throw new UnsupportedMediaTypeError(`Send the envelope as ${TAXII_MEDIA_TYPE} (got ${type ? JSON.stringify(type.slice(0, 100)) : 'none'}).`);
  }
}

export const handler = taxiiHandler(ROUTES.taxiiAddObjects, addObjects, requireTaxiiContentType);
