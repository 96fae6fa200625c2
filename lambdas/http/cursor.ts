/**
 * List cursors: the id of the last incident of a page, signed with HMAC-SHA256 so a client can
 * neither forge a position nor read one out of another query. Anything altered is a 400.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ULID_PATTERN } from '../domain/ids';
import { ValidationError } from '../domain/errors';

const SIG_BYTES = 16;

export function makeCursorCodec(secret: string) {
  const sign = (payload: string) => createHmac('sha256', `cursor:${secret}`).update(payload).digest().subarray(0, SIG_BYTES);
  return {
    encode(lastId: string): string {
      const payload = Buffer.from(lastId, 'utf8');
      return Buffer.concat([payload, sign(payload.toString('utf8'))]).toString('base64url');
    },
    decode(cursor: string): string {
      const invalid = () => new ValidationError('The cursor is not valid; use nextCursor exactly as returned.', [{ path: 'cursor', message: 'is not a cursor this service issued' }]);
      if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
      const raw = Buffer.from(cursor, 'base64url');
      if (raw.length <= SIG_BYTES) throw invalid();
      const payload = raw.subarray(0, raw.length - SIG_BYTES).toString('utf8');
      const signature = raw.subarray(raw.length - SIG_BYTES);
      if (!timingSafeEqual(signature, sign(payload)) || !/^inc_/.test(payload) || !ULID_PATTERN.test(payload.slice(4))) throw invalid();
      return payload;
    },
  };
}

export type CursorCodec = ReturnType<typeof makeCursorCodec>;
