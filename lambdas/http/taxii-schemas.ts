/** Request schemas of the TAXII 2.1 routes: query parameters, path parameters, the posted envelope. */
import * as z from './zod-mini';
import { built, withMeta } from './zod-mini';

/** A STIX/TAXII timestamp: RFC 3339 in UTC (`Z`), fractional seconds optional. */
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?Z$/;
const STIX_ID = /^[a-z][a-z0-9-]*[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const STIX_TYPE = /^[a-z][a-z0-9-]{1,248}[a-z0-9]$/;

export const isTimestamp = (s: string) => TIMESTAMP.test(s) && !Number.isNaN(Date.parse(s));
export const isStixId = (s: string) => STIX_ID.test(s);

/**
 * Built by one call marked pure, so that a bundle that imports this module without using the
 * schemas drops them.
 */
export const TAXII_SCHEMAS = /* @__PURE__ */ built(() => {
  const Timestamp = z.string().check(z.maxLength(40)).check(z.refine(isTimestamp, 'must be a timestamp like 2026-01-31T12:00:00.000Z'));
  const commaList = (valid: (v: string) => boolean, message: string) =>
    z.string().check(z.maxLength(4096)).check(z.refine((v) => v.split(',').every((x) => valid(x.trim())), message));

  const paging = {
    added_after: z.optional(Timestamp),
    limit: withMeta(z.optional(z.coerce.number<string>().check(z.int()).check(z.gte(1))), { description: 'At most 100 are served, whatever the limit.' }),
    next: withMeta(z.optional(z.string().check(z.maxLength(512))), { description: '`next` of the previous page, exactly as returned.' }),
    'match[spec_version]': z.optional(commaList((v) => /^\d\.\d$/.test(v), 'must be spec versions like 2.1')),
  };
  const matchVersion = z.optional(commaList((v) => ['first', 'last', 'all'].includes(v) || isTimestamp(v), 'must be first, last, all or timestamps'));

  const ObjectsQuery = z.strictObject({
    ...paging,
    'match[id]': z.optional(commaList(isStixId, 'must be STIX identifiers')),
    'match[type]': z.optional(commaList((v) => STIX_TYPE.test(v), 'must be STIX object types')),
    'match[version]': matchVersion,
  });
  const ObjectQuery = z.strictObject({ ...paging, 'match[version]': matchVersion });
  const VersionsQuery = z.strictObject(paging);

  const CollectionParams = z.strictObject({ collectionId: z.string().check(z.maxLength(64)) });
  const ObjectParams = z.strictObject({ collectionId: z.string().check(z.maxLength(64)), objectId: z.string().check(z.regex(STIX_ID)) });
  const StatusParams = z.strictObject({ statusId: z.uuid() });

  /** A TAXII envelope of STIX objects; each object is judged on its own (its outcome goes into the status). */
  const Envelope = withMeta(z.looseObject({
    objects: z.array(z.looseObject({
      type: z.string().check(z.regex(STIX_TYPE, 'must be a STIX object type')),
      id: z.string().check(z.regex(STIX_ID, 'must be a STIX identifier')),
    })).check(z.minLength(1)).check(z.maxLength(1000)),
  }), { id: 'TaxiiEnvelope', description: 'A TAXII 2.1 envelope: `objects` holds STIX 2.1 objects.' });

  return { ObjectsQuery, ObjectQuery, VersionsQuery, CollectionParams, ObjectParams, StatusParams, Envelope };
});
