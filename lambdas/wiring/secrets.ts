/**
 * The signing secret (read on first use) and what it signs: list and timeline cursors. Only the
 * functions that sign or verify bundle this (and are granted the secret).
 */
import { loadSigningSecret } from '../adapters/secrets';
import { checkCursorShape, makeCursorCodec } from '../http/cursor';
import { derived } from './adapters';

export const signingSecret = derived(({ config }) => loadSigningSecret(config));

export const cursors = /* @__PURE__ */ derived(async () => makeCursorCodec(await signingSecret()));

/**
 * The cursor codec, its secret fetched alongside the page's reads (a cold start does not wait for
 * Secrets Manager before DynamoDB): waited for before the read only to decode a cursor the request
 * carries, else after it, only to sign the next one. A page that ends its list needs no secret.
 */
export function cursorsAhead(): (() => ReturnType<typeof cursors>) & { decoding: (cursor: string) => ReturnType<typeof cursors>; before: (more: boolean) => Promise<unknown> } {
  const pending = cursors();
  // Awaited when a cursor is decoded or signed, or never: not an unhandled rejection either way.
  pending.catch(() => undefined);
  const codec = () => pending;
  return Object.assign(codec, {
    /** The codec to decode `cursor` with; a cursor no codec could have issued is a 400 at once, the secret readable or not. */
    decoding: (cursor: string) => { checkCursorShape(cursor); return pending; },
    // Given to the read as the moment between reading a page and recording its reads: a page with
    // more after it waits there for the secret that signs its cursor, so a page that cannot be
    // answered (the secret unreadable) records no read — the audit trail records what answers carried.
    before: async (more: boolean) => (more ? pending : undefined),
  });
}
