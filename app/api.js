// The API: every call with the session's token, JSON in and out, RFC 9457 problem documents as
// errors (ApiError: the status, and the document's `detail`, `errors`, `currentStatus`…), and
// cursor paging. Every URL is relative: behind API Gateway the app lives under /<stage>/.

import { state, store, S_REAUTH } from './state.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** Whether the person's token has run out (or is about to): a key never does. */
export const expired = () => !!(state.session?.kind === 'oidc' && state.session.expiresAt && Date.now() > state.session.expiresAt - 10000);

/** What to do when the token ran out: sign-in.js signs in again. */
let renew = () => Promise.reject(new ApiError(401, { detail: 'the sign-in expired; please sign in again.' }));
export const whenExpired = (handler) => { renew = handler; };

/** `headers`: more request headers (If-Match). */
export async function api(path, { method = 'GET', body, headers: extra = {} } = {}) {
  if (expired()) return renew();
  const headers = { ...extra, authorization: `Bearer ${state.session?.token ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = res.status === 204 ? {} : await res.json().catch(() => ({}));
  // Only an expired token is worth a silent re-sign-in: a token the API refuses for another reason
  // (an organization that does not trust the issuer) would come back refused, round and round.
  if (res.status === 401 && state.session?.kind === 'oidc' && expired()) return renew();
  if (res.status !== 401) store.removeItem(S_REAUTH); // the API took this sign-in
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

/** Every page of a list, following `nextCursor`, until `max` items. */
export async function allPages(path, key, max) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return items;
}
