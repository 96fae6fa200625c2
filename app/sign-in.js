// Signing in: OpenID Connect authorization code + PKCE with the provider config.json names, or
// an API key (for systems' operators). The API authorizes everything; the role learned here only
// decides what the page offers.

import { ApiError, api, whenExpired } from './api.js';
import { flash } from './dom.js';
import { state, store, S_DRAFT, S_PENDING, S_REAUTH, S_SESSION, S_SIGNED_OUT } from './state.js';

const DAY = 86400000;
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));
/** The app's own address: `localhost` and `127.0.0.1` alike are registered locally. */
const redirectUri = () => `${location.origin}${location.pathname}`;

function claimsOf(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    // For display only: the API verifies every token.
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch { return {}; }
}

let discovery = null;
async function discover() {
  if (discovery || !state.config.issuer) return discovery;
  const res = await fetch(`${state.config.issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`The identity provider did not answer (${res.status}).`);
  const doc = await res.json();
  if (doc.issuer !== state.config.issuer) throw new Error('The identity provider names another issuer.');
  discovery = doc;
  return doc;
}

/**
 * `fresh`: a person chose to sign in, so the provider asks who they are (`prompt=login`) rather
 * than ride a session someone else left in this browser; re-signing in after an expiry is silent.
 */
export async function startSignIn({ fresh = false } = {}) {
  const { config } = state;
  const doc = await discover();
  const verifier = random(32);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const pending = { state: random(16), verifier, nonce: random(16), hash: location.hash };
  store.setItem(S_PENDING, JSON.stringify(pending));
  const url = new URL(doc.authorization_endpoint);
  const params = { client_id: config.clientId, response_type: 'code', redirect_uri: redirectUri(), scope: config.scope, state: pending.state, nonce: pending.nonce, code_challenge: challenge, code_challenge_method: 'S256' };
  if (config.resource) params.resource = config.resource;
  // A chosen sign-in, or the next one after signing out, asks anew rather than riding the provider's session.
  if (fresh || store.getItem(S_SIGNED_OUT)) params.prompt = 'login';
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.href);
  return new Promise(() => {}); // the page goes away
}

/**
 * The token ran out: drafts are already in sessionStorage; sign in again and come back here.
 * Once only: if the fresh token runs out before the API has answered it, the person is asked.
 */
function reauthenticate() {
  if (store.getItem(S_REAUTH)) {
    store.removeItem(S_REAUTH);
    return Promise.reject(new ApiError(401, { detail: 'the sign-in expired again at once; please sign in again.' }));
  }
  store.setItem(S_REAUTH, '1');
  store.removeItem(S_SESSION);
  flash('Your sign-in expired: signing you in again. What you typed is kept.');
  return startSignIn();
}
whenExpired(reauthenticate);

/** The person chose to sign in (not a silent renewal). */
export function chooseSignIn() {
  store.removeItem(S_REAUTH);
  return startSignIn({ fresh: true });
}

/** Whether this page load is the provider's answer to a sign-in. */
export const isSignInAnswer = (query) => query.has('state') && (query.has('code') || query.has('error'));

export async function finishSignIn(query) {
  const { config } = state;
  const pending = JSON.parse(store.getItem(S_PENDING) || 'null');
  store.removeItem(S_PENDING);
  history.replaceState(null, '', `${location.pathname}${pending?.hash || ''}`);
  if (!pending || query.get('state') !== pending.state) throw new Error('The sign-in answer did not match this tab\'s request (state). Please sign in again.');
  if (query.get('iss') && query.get('iss') !== config.issuer) throw new Error('The sign-in answer came from another issuer.');
  if (query.get('error')) throw new Error(`Sign-in refused: ${query.get('error_description') || query.get('error')}`);
  const doc = await discover();
  const form = { grant_type: 'authorization_code', code: query.get('code'), redirect_uri: redirectUri(), client_id: config.clientId, code_verifier: pending.verifier };
  if (config.resource) form.resource = config.resource;
  const res = await fetch(doc.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`The identity provider refused the code: ${body.error_description || body.error || res.status}`);
  const token = config.sendToken === 'id_token' ? body.id_token : body.access_token;
  if (!token) throw new Error('The identity provider sent no token.');
  if (body.id_token && claimsOf(body.id_token).nonce !== pending.nonce) throw new Error('The sign-in answer did not match this tab\'s request (nonce).');
  const claims = { ...claimsOf(body.id_token || ''), ...claimsOf(token) };
  state.session = { kind: 'oidc', token, expiresAt: Date.now() + (Number(body.expires_in) || 3600) * 1000, claims };
  store.setItem(S_SESSION, JSON.stringify(state.session));
  store.removeItem(S_SIGNED_OUT);
}

/** The session this tab kept, if any. */
export function resumeSession() {
  state.session = JSON.parse(store.getItem(S_SESSION) || 'null');
  return state.session;
}

export async function useKey(key) {
  state.session = { kind: 'key', token: key };
  await learnRole();
  store.setItem(S_SESSION, JSON.stringify(state.session));
}

/**
 * Who am I? The API says: a manager may read metrics; of the others, an admin may read the
 * directory's organizations and a partner may not.
 */
export async function learnRole() {
  const now = Date.now();
  const allowed = (path) => api(path).then(() => true, (err) => { if (err.status === 401) throw err; return false; });
  state.isManager = await allowed(`v1/metrics?from=${new Date(now - DAY).toISOString()}&to=${new Date(now).toISOString()}`);
  state.isAdmin = !state.isManager && await allowed('v1/organizations');
}

/** The session is gone (refused, or never there): forget it. */
export function dropSession() {
  state.session = null;
  store.removeItem(S_SESSION);
}

export function signOut() {
  store.removeItem(S_SESSION);
  for (const k of Object.keys(store)) if (k.startsWith(S_DRAFT)) store.removeItem(k);
  store.setItem(S_SIGNED_OUT, '1');
  state.session = null;
  state.isManager = false;
  state.isAdmin = false;
  location.hash = '#/incidents';
  location.reload();
}

/** Why the API refused the session, in the API's words (its problem document's `detail`). */
export function refusedMessage(err) {
  if (state.session?.kind === 'oidc') return `Concord did not accept this sign-in: ${err.body?.detail || err.body?.title || err.message}`;
  return 'Your API key is no longer valid. Please sign in again.';
}
