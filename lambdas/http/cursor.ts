/**
 * Paging cursors: the position of the last item of a page (an incident id, or a timeline event's
 * seq), signed with HMAC-SHA256 so a client can neither forge a position nor carry one into
 * another listing. Two tags follow the position:
 *   - the listing tag covers the position and the listing it was issued for — the caller's
 *     organization and role, and the exact filters (list) or the incident (timeline);
 *   - the seal covers the position and the listing tag: anything altered, or not ours, is "not a
 *     cursor", while an intact cursor presented by another caller, with other filters or for
 *     another incident is "a cursor of another listing".
 * Both are a 400 naming `cursor`. Nothing of the listing travels in the cursor, which stays short.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ULID_PATTERN } from '../shared/ids';
import { SUMMARY_POSITION_PATTERN } from '../domain/audit-entry';
import { ValidationError } from '../domain/errors';
import type { Caller } from '../domain/actor';

const TAG_BYTES = 12;
const SEQ_PATTERN = /^[1-9][0-9]{0,9}$/;

export interface ListFilters { status?: string; severity?: string; participant?: string; scope?: string }

type Binding = ReadonlyArray<string | null>;

const listBinding = (caller: Caller, f: ListFilters): Binding =>
  ['incidents', caller.orgId, caller.role, f.status ?? null, f.severity ?? null, f.participant ?? null,
    // The default scope binds as before, so cursors given before scopes existed still continue.
    ...(f.scope && f.scope !== 'own' ? [`scope:${f.scope}`] : [])];
const timelineBinding = (caller: Caller, incidentId: string): Binding => ['timeline', caller.orgId, caller.role, incidentId];
/** An audit listing: one incident's trail, or an admin's window with its filters. */
const auditBinding = (caller: Caller, listing: ReadonlyArray<string | null>): Binding => ['audit', caller.orgId, caller.role, ...listing];
const AUDIT_ID_PATTERN = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#[0-9a-f-]{13}$/;
/** A TAXII page: the endpoint (objects, manifest, one object's versions…) and its exact filters. */
const taxiiBinding = (caller: Caller, listing: string): Binding => ['taxii', caller.orgId, caller.role, listing];

const notACursor = () => new ValidationError('The cursor is not valid; use nextCursor exactly as returned.', [{ path: 'cursor', message: 'is not a cursor this service issued' }]);

/**
 * A cursor's bytes: only the exact base64url encoding we issue, long enough for a position and its
 * two tags. Checked without the secret, so a malformed cursor is a 400 even while the secret
 * cannot be read; what it holds is checked against its tags by `decode`.
 */
function cursorBytes(cursor: string): Buffer {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw notACursor();
  const raw = Buffer.from(cursor, 'base64url');
  // base64url ignores stray trailing characters: the cursor must be what its bytes encode to.
  if (raw.length <= 2 * TAG_BYTES || raw.toString('base64url') !== cursor) throw notACursor();
  return raw;
}

/** Refuses (400, naming `cursor`) a cursor that no codec could have issued, before its secret is at hand. */
export const checkCursorShape = (cursor: string): void => { cursorBytes(cursor); };

export function makeCursorCodec(secret: string) {
  const tag = (...parts: string[]) => createHmac('sha256', `cursor:${secret}`).update(parts.join('\u0000')).digest().subarray(0, TAG_BYTES);
  const listingTag = (position: string, binding: Binding) => tag('listing', JSON.stringify(binding), position);
  const seal = (position: string, listing: Buffer) => tag('seal', position, listing.toString('hex'));

  function encode(position: string, binding: Binding): string {
    const listing = listingTag(position, binding);
    return Buffer.concat([Buffer.from(position, 'utf8'), listing, seal(position, listing)]).toString('base64url');
  }

  function decode(cursor: string, binding: Binding, isPosition: (p: string) => boolean): string {
    const raw = cursorBytes(cursor);
    const position = raw.subarray(0, raw.length - 2 * TAG_BYTES).toString('utf8');
    const listing = raw.subarray(raw.length - 2 * TAG_BYTES, raw.length - TAG_BYTES);
    const sealed = raw.subarray(raw.length - TAG_BYTES);
    if (!timingSafeEqual(sealed, seal(position, listing))) throw notACursor();
    if (!timingSafeEqual(listing, listingTag(position, binding))) {
      throw new ValidationError(
        'The cursor belongs to another listing (another caller, other filters or another incident); start again without a cursor.',
        [{ path: 'cursor', message: 'belongs to another listing' }],
      );
    }
    if (!isPosition(position)) throw notACursor();
    return position;
  }

  return {
    /** The cursor after incident `lastId` of `caller`'s list with exactly these filters. */
    encodeList: (lastId: string, caller: Caller, filters: ListFilters) => encode(lastId, listBinding(caller, filters)),
    decodeList: (cursor: string, caller: Caller, filters: ListFilters) =>
      decode(cursor, listBinding(caller, filters), (p) => p.startsWith('inc_') && ULID_PATTERN.test(p.slice(4))),
    /** The cursor after event `seq` of `caller`'s reading of incident `incidentId`'s timeline. */
    encodeTimeline: (seq: number, caller: Caller, incidentId: string) => encode(String(seq), timelineBinding(caller, incidentId)),
    decodeTimeline: (cursor: string, caller: Caller, incidentId: string) =>
      Number(decode(cursor, timelineBinding(caller, incidentId), (p) => SEQ_PATTERN.test(p))),
    /** The cursor after audit entry `lastId` of `caller`'s audit listing (`listing` names the incident or the window and filters). */
    encodeAudit: (lastId: string, caller: Caller, listing: ReadonlyArray<string | null>) => encode(lastId, auditBinding(caller, listing)),
    decodeAudit: (cursor: string, caller: Caller, listing: ReadonlyArray<string | null>) =>
      decode(cursor, auditBinding(caller, listing), (p) => AUDIT_ID_PATTERN.test(p) || SUMMARY_POSITION_PATTERN.test(p)),
    /** The cursor after incident `lastId` of `caller`'s related incidents of `incidentId`. */
    encodeRelated: (lastId: string, caller: Caller, incidentId: string) => encode(lastId, ['related', caller.orgId, caller.role, incidentId]),
    decodeRelated: (cursor: string, caller: Caller, incidentId: string) =>
      decode(cursor, ['related', caller.orgId, caller.role, incidentId], (p) => p.startsWith('inc_') && ULID_PATTERN.test(p.slice(4))),
    /** The cursor after incident `lastId` of `caller`'s lookup of one observable (`identity`: its canonical key). */
    encodeLookup: (lastId: string, caller: Caller, identity: string) => encode(lastId, ['observables', caller.orgId, caller.role, identity]),
    decodeLookup: (cursor: string, caller: Caller, identity: string) =>
      decode(cursor, ['observables', caller.orgId, caller.role, identity], (p) => p.startsWith('inc_') && ULID_PATTERN.test(p.slice(4))),
    /** TAXII's `next`: the position after which `caller`'s `listing` (endpoint and filters, as one string) continues. */
    encodeTaxii: (position: string, caller: Caller, listing: string) => encode(position, taxiiBinding(caller, listing)),
    decodeTaxii: (cursor: string, caller: Caller, listing: string, isPosition: (p: string) => boolean) =>
      decode(cursor, taxiiBinding(caller, listing), isPosition),
  };
}

export type CursorCodec = ReturnType<typeof makeCursorCodec>;
