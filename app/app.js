// Concord's responders' app: plain JavaScript over the public API, no framework, no build step,
// uPlot for the managers' charts. Every URL is relative: behind API Gateway the app lives under
// /<stage>/. Tokens live in this tab (sessionStorage), never in localStorage. The API authorizes
// everything; what the page shows or hides is a convenience only.

const $ = (s, root = document) => root.querySelector(s);
const $$ = (s, root = document) => [...root.querySelectorAll(s)];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const STATUSES = ['reported', 'acknowledged', 'assigned', 'resolved'];
const OPEN_STATUSES = STATUSES.filter((s) => s !== 'resolved');
const TLPS = ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'];
/** Severity lines on the charts' white: each at least 3:1 (WCAG 1.4.11). */
const COLORS = { critical: '#b50909', high: '#e07000', medium: '#957600', low: '#5c8a00' };
const DAY = 86400000;
const POLL_MS = 15000;
/** FIRST TLP 2.0, one line each. */
const TLP_MEANING = {
  RED: 'For the eyes and ears of individual recipients only, no further disclosure.',
  'AMBER+STRICT': 'Limited disclosure, restricted to the participants\' organizations only.',
  AMBER: 'Limited disclosure: recipients share on a need-to-know basis within their organization and its clients.',
  GREEN: 'Limited disclosure: recipients may share within their community, not publicly.',
  CLEAR: 'No limit on disclosure: recipients may share it with the world.',
};
const SHARING_RULE = {
  RED: 'TLP:RED — for the participants\' named recipients only. Do not share it any further: not within your organization, not by forwarding. Every view is recorded.',
  'AMBER+STRICT': 'TLP:AMBER+STRICT — for the participants\' own organizations only, on a need-to-know basis; not their clients. Every view is recorded.',
};
const ABOUT = { reported: 'the report', acknowledged: 'the acknowledgement', assigned: 'the assignment', resolved: 'the resolution', note: 'a note', escalated: 'the escalation' };

const store = sessionStorage; // this tab only, by design
const S_SESSION = 'concord-session';
const S_PENDING = 'concord-sign-in';
const S_DRAFT = 'concord-draft:';
/** Set just before a silent re-sign-in, cleared by the API's next answer that is not a 401: at most one per sign-in. */
const S_REAUTH = 'concord-reauthenticating';

let config = { issuer: null };
/** The person's organization, from the claim config.json names (Cognito's is `custom:org`); for display only. */
const orgOf = (claims) => claims?.[config.orgClaim || 'org'];
let discovery = null;
let session = null; // {kind: 'oidc'|'key', token, expiresAt?, claims?}
let isManager = false;
let isAdmin = false; // an admin manages the directory: it neither reads nor reports incidents
let listCursorSeq = 0;
const charts = [];
let shown = null; // the incident shown, for polling
let shownList = null; // what the list shows (filters, ids, versions), for polling
let directory = null;

// ---------- small DOM helpers ----------
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};
const when = (iso) => (iso ? el('time', { datetime: iso, text: new Date(iso).toLocaleString() }) : '—');
const ORG = (id) => String(id || '').toUpperCase();
const tlpClass = (tlp) => `tlp tlp-${tlp.replace('+', '-')}`;
/** A TLP label in FIRST's colours; `focusable` unless it sits in a form label, whose hint already says what it means. */
function tlpBadge(tlp, focusable = true) {
  const id = `tlp-desc-${tlp.replace('+', '-')}`;
  if (!document.getElementById(id)) document.body.append(el('span', { id, class: 'visually-hidden', text: TLP_MEANING[tlp] }));
  // The meaning shows on hover and on focus (style.css, from data-meaning); screen readers get it as the description.
  return el('span', { class: tlpClass(tlp), 'data-meaning': `TLP:${tlp}: ${TLP_MEANING[tlp]}`, ...(focusable ? { tabindex: 0 } : {}), 'aria-describedby': id, text: `TLP:${tlp}` });
}
const sevBadge = (severity) => el('span', { class: `sev ${severity}`, text: severity });
let keepFlash = false;
/** The page's confirmations and errors, in one live region; `keep` survives the next route change. */
function flash(message, { keep = false, focus = false } = {}) {
  $('#flash').textContent = message;
  keepFlash = keep;
  if (focus && message) $('#flash').focus();
}

/**
 * Replaces what `rebuild` redraws inside `root` without taking the focus away: a focused element
 * inside is found again by its id, or by its row's `data-id` and its place in that row.
 */
function keepingFocus(root, rebuild) {
  const active = document.activeElement;
  const inside = active && active !== document.body && root.contains(active);
  let find = null;
  if (inside && active.id) find = () => document.getElementById(active.id);
  else if (inside) {
    const row = active.closest('[data-id]');
    const scope = row && root.contains(row) ? row : root;
    const index = $$(active.tagName, scope).indexOf(active);
    const key = row ? row.dataset.id : null;
    find = () => {
      const again = key === null ? root : $$('[data-id]', root).find((r) => r.dataset.id === key);
      return again ? $$(active.tagName, again)[index] : null;
    };
  }
  rebuild();
  if (find && !root.contains(document.activeElement)) find()?.focus({ preventScroll: true });
}

// ---------- the API ----------
class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const expired = () => !!(session?.kind === 'oidc' && session.expiresAt && Date.now() > session.expiresAt - 10000);

async function api(path, { method = 'GET', body } = {}) {
  if (expired()) return reauthenticate();
  const headers = { authorization: `Bearer ${session?.token ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = await res.json().catch(() => ({}));
  // Only an expired token is worth a silent re-sign-in: a token the API refuses for another reason
  // (an organization that does not trust the issuer) would come back refused, round and round.
  if (res.status === 401 && session?.kind === 'oidc' && expired()) return reauthenticate();
  if (res.status !== 401) store.removeItem(S_REAUTH); // the API took this sign-in
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

async function allPages(path, key, max) {
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

// ---------- sign-in: OpenID Connect code + PKCE, or an API key ----------
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const redirectUri = () => `${location.origin}${location.pathname}`;

function claimsOf(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    // For display only: the API verifies every token.
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch { return {}; }
}

async function discover() {
  if (discovery || !config.issuer) return discovery;
  const res = await fetch(`${config.issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`The identity provider did not answer (${res.status}).`);
  const doc = await res.json();
  if (doc.issuer !== config.issuer) throw new Error('The identity provider names another issuer.');
  discovery = doc;
  return doc;
}

/**
 * `fresh`: a person chose to sign in, so the provider asks who they are (`prompt=login`) rather
 * than ride a session someone else left in this browser; re-signing in after an expiry is silent.
 */
async function startSignIn({ fresh = false } = {}) {
  const doc = await discover();
  const verifier = random(32);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random(16);
  const nonce = random(16);
  store.setItem(S_PENDING, JSON.stringify({ state, verifier, nonce, hash: location.hash }));
  const url = new URL(doc.authorization_endpoint);
  const params = { client_id: config.clientId, response_type: 'code', redirect_uri: redirectUri(), scope: config.scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256' };
  if (config.resource) params.resource = config.resource;
  // A chosen sign-in, or the next one after signing out, asks anew rather than riding the provider's session.
  if (fresh || store.getItem('concord-signed-out')) params.prompt = 'login';
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

async function finishSignIn(query) {
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
  session = { kind: 'oidc', token, expiresAt: Date.now() + (Number(body.expires_in) || 3600) * 1000, claims };
  store.setItem(S_SESSION, JSON.stringify(session));
  store.removeItem('concord-signed-out');
}

async function useKey(key) {
  session = { kind: 'key', token: key };
  await learnRole();
  store.setItem(S_SESSION, JSON.stringify(session));
}

/**
 * Who am I? The API says: a manager may read metrics; of the others, an admin may read the
 * directory's organizations and a partner may not.
 */
async function learnRole() {
  const now = Date.now();
  const allowed = (path) => api(path).then(() => true, (err) => { if (err.status === 401) throw err; return false; });
  isManager = await allowed(`v1/metrics?from=${new Date(now - DAY).toISOString()}&to=${new Date(now).toISOString()}`);
  isAdmin = !isManager && await allowed('v1/organizations');
}

function signOut() {
  store.removeItem(S_SESSION);
  for (const k of Object.keys(store)) if (k.startsWith(S_DRAFT)) store.removeItem(k);
  store.setItem('concord-signed-out', '1');
  session = null;
  isManager = false;
  isAdmin = false;
  location.hash = '#/incidents';
  location.reload();
}

function showSignedIn() {
  $('#signed-out').hidden = true;
  $('#nav').hidden = false;
  $('#sign-out').hidden = false;
  $('#nav-metrics').hidden = !isManager;
  $('#nav a[data-nav=report]').hidden = isManager || isAdmin; // the API refuses their reports (403)
  const c = session.claims || {};
  $('#who').textContent = session.kind === 'oidc'
    ? `${c.name || c.preferred_username || c.sub || 'Signed in'}${orgOf(c) ? ` · ${ORG(orgOf(c))}` : ''}${isManager ? ' · manager' : ''}`
    : `API key${isManager ? ' · manager' : ''}`;
}

/** Why the API refused the session, in the API's words (its problem document's `detail`). */
function refusedMessage(err) {
  if (session?.kind === 'oidc') return `Concord did not accept this sign-in: ${err.body?.detail || err.body?.title || err.message}`;
  return 'Your API key is no longer valid. Please sign in again.';
}

function showSignedOut(message) {
  for (const v of $$('main > section')) v.hidden = true;
  $('#signed-out').hidden = false;
  $('#nav').hidden = true;
  $('#sign-out').hidden = true;
  $('#who').textContent = '';
  $('#oidc-box').hidden = !config.issuer;
  $('#key-sign-in').open = !config.issuer;
  if (message) $('#oidc-error').textContent = message;
}

// ---------- drafts: what people type survives a re-sign-in ----------
function bindDraft(form, name) {
  const key = S_DRAFT + name;
  const saved = JSON.parse(store.getItem(key) || 'null');
  if (saved) {
    for (const field of form.elements) {
      if (!field.name || !(field.name in saved)) continue;
      if (field.type === 'checkbox') field.checked = saved[field.name].includes(field.value);
      else if (field.type === 'radio') field.checked = saved[field.name] === field.value;
      else field.value = saved[field.name];
    }
  }
  const save = () => {
    const data = {};
    for (const field of form.elements) {
      if (!field.name) continue;
      if (field.type === 'checkbox') (data[field.name] ??= []).push(...(field.checked ? [field.value] : []));
      else if (field.type === 'radio') { if (field.checked) data[field.name] = field.value; }
      else data[field.name] = field.value;
    }
    store.setItem(key, JSON.stringify(data));
  };
  form.addEventListener('input', save);
  form.addEventListener('change', save);
  return () => store.removeItem(key);
}

// ---------- routing ----------
function route() {
  const hash = location.hash.replace(/^#/, '') || '/incidents';
  const [path, query = ''] = hash.split('?');
  return { path, params: new URLSearchParams(query) };
}

function show(view) {
  for (const v of $$('main > section')) v.hidden = v.id !== view;
  for (const a of $$('#nav a')) {
    if (`view-${a.dataset.nav === 'incidents' ? 'list' : a.dataset.nav}` === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function render({ quiet = false } = {}) {
  if (!session) return showSignedOut();
  const { path, params } = route();
  const m = /^\/incidents\/([^/]+)$/.exec(path);
  try {
    if (m) return await renderIncident(decodeURIComponent(m[1]), { quiet });
    shown = null;
    if (path === '/report') return await renderReport();
    if (path === '/metrics') return await renderMetrics();
    return await renderList(params, { quiet });
  } catch (err) {
    if (err.status === 401) { // a revoked key, or a token the API no longer accepts
      const message = refusedMessage(err);
      store.removeItem(S_SESSION);
      session = null;
      return showSignedOut(message);
    }
    if (err.status === 403) flash('Your role may not do that here.');
    else flash(`Something went wrong: ${err.message}`);
  }
}

// ---------- the incidents list ----------
const isOpen = (i) => i.status !== 'resolved';

async function renderList(params, { quiet }) {
  show('view-list');
  if (!quiet) document.title = 'Incidents · Concord';
  const filters = { status: params.get('status') || 'open', severity: params.get('severity') || '', tlp: params.get('tlp') || '' };
  $('#f-status').value = filters.status;
  $('#f-severity').value = filters.severity;
  $('#f-tlp').value = filters.tlp;
  const seq = ++listCursorSeq;
  if (!quiet) $('#list-status').textContent = 'Loading…';
  // "Open" asks for each open status: one query for everything, capped, would lose old open
  // incidents behind newer resolved ones.
  const statuses = filters.status === 'open' ? OPEN_STATUSES : STATUSES.includes(filters.status) ? [filters.status] : [null];
  let items;
  try {
    const lists = await Promise.all(statuses.map((status) => {
      const q = new URLSearchParams({ limit: '100' });
      if (status) q.set('status', status);
      if (SEVERITIES.includes(filters.severity)) q.set('severity', filters.severity);
      return allPages(`v1/incidents?${q}`, 'items', 500);
    }));
    // An incident that changed status between two queries is in both: keep its newer version.
    const byId = new Map();
    for (const i of lists.flat()) if (!byId.has(i.id) || byId.get(i.id).version < i.version) byId.set(i.id, i);
    items = [...byId.values()];
  } catch (err) {
    $('#list-status').textContent = err.status === 403 ? 'Your role does not list incidents (an admin key or account manages the directory).' : `Could not load the incidents: ${err.message}`;
    return;
  }
  if (seq !== listCursorSeq) return; // a newer load won
  items = items
    .filter((i) => filters.status !== 'open' || isOpen(i))
    .filter((i) => !filters.tlp || i.tlp === filters.tlp)
    .sort((a, b) => (isOpen(b) - isOpen(a)) || b.reportedAt.localeCompare(a.reportedAt));
  // A poll that finds the same incidents in the same versions leaves the list alone.
  const key = JSON.stringify([filters, items.map((i) => [i.id, i.version, i.status])]);
  if (quiet && key === shownList && $('#incidents tbody').childElementCount === items.length) return;
  shownList = key;
  $('#open-count').textContent = `(${items.length})`;
  $('#list-status').textContent = items.length ? `Updated ${new Date().toLocaleTimeString()}; refreshes every 15 seconds.` : 'No incidents match these filters.';
  keepingFocus($('#incidents tbody'), () => $('#incidents tbody').replaceChildren(...items.map((incident) => {
    const href = `#/incidents/${encodeURIComponent(incident.id)}`;
    const row = el('tr', { 'data-id': incident.id, class: isOpen(incident) ? 'open' : 'closed' },
      el('td', { 'data-label': 'Severity' }, sevBadge(incident.severity)),
      el('td', { 'data-label': 'TLP' }, tlpBadge(incident.tlp)),
      el('td', { 'data-label': 'Title', class: 'title' }, el('a', { href, text: incident.title })),
      el('td', { 'data-label': 'Status', text: incident.status }),
      el('td', { 'data-label': 'Participants', text: incident.participants.map(ORG).join(', ') }),
      el('td', { 'data-label': 'Reported' }, when(incident.reportedAt)));
    row.addEventListener('click', (e) => { if (!e.target.closest('a')) location.hash = href; });
    return row;
  })));
}

$('#filters').addEventListener('change', () => {
  const q = new URLSearchParams();
  for (const [k, id] of [['status', '#f-status'], ['severity', '#f-severity'], ['tlp', '#f-tlp']]) {
    const v = $(id).value;
    if (v && !(k === 'status' && v === 'open')) q.set(k, v);
  }
  location.hash = `#/incidents${q.size ? `?${q}` : ''}`;
});

// ---------- the incident page ----------
function describe(e) {
  const d = e.data || {};
  const who = ORG(e.actor.orgId);
  const by = e.actor.by ? ` (${e.actor.by})` : '';
  switch (e.type) {
    case 'reported': return `${who}${by} reported the incident.`;
    case 'acknowledged': return `${who} acknowledged${by}.${d.note ? ` “${d.note}”` : ''}`;
    case 'assigned': return `${who}${by} assigned it to ${ORG(d.assignee?.orgId)}${d.assignee?.responder ? ` (${d.assignee.responder})` : ''}.${d.note ? ` “${d.note}”` : ''}`;
    case 'resolved': return `${who}${by} resolved it: “${d.resolution ?? ''}”`;
    case 'note': return `${who}${by} wrote: “${d.text ?? ''}”`;
    case 'notified': return `${ORG(d.orgId)} notified of ${ABOUT[d.aboutType] || d.aboutType || 'a change'}${d.audience === 'red' ? ' (cleared contacts)' : ''}.`;
    case 'notification_failed': return `Notifying ${ORG(d.orgId)} of ${ABOUT[d.aboutType] || d.aboutType || 'a change'} failed${d.reason ? `: ${d.reason}` : ''}.`;
    case 'escalated': return `Escalated (level ${d.level}): not acknowledged for ${Math.round(Number(d.unacknowledgedSeconds || 0) / 60)} minutes.`;
    default: return e.type;
  }
}

function field(label, ...value) { return [el('dt', { text: label }), el('dd', {}, ...value)]; }

/** Whether someone is at work in the action forms: a field of theirs has the focus, or text not sent yet. */
function formsBusy() {
  const actions = $('#actions');
  if (!actions) return false;
  return actions.contains(document.activeElement) || $$('textarea, input:not([type]), input[type=text]', actions).some((f) => f.value.trim() !== '');
}

/** The incident changed under forms someone is using: say so, and let them redraw the forms when they are ready. */
function markStale(status) {
  const text = `This incident changed (it is ${status} now): the actions below may no longer apply. `;
  const notice = $('#actions-stale');
  if (notice) { notice.firstChild.textContent = text; return; }
  $('#actions-heading').after(el('p', { id: 'actions-stale', class: 'note', role: 'status' }, text,
    el('button', { type: 'button', text: 'Refresh the actions', onclick: async () => {
      await renderIncident(shown.id, { quiet: true, force: true });
      $('#actions-heading')?.focus(); // the button is gone with the old forms: start from the new ones
    } })));
}

async function renderIncident(id, { quiet, force = false }) {
  show('view-incident');
  let incident;
  try {
    incident = await api(`v1/incidents/${encodeURIComponent(id)}`);
  } catch (err) {
    // Not polled: every read of an incident the person may not see is a refused read in its audit trail.
    if (err.status === 404) { shown = { id, missing: true }; show('view-not-found'); document.title = 'Not found · Concord'; if (!quiet) $('#not-found-heading').focus(); return; }
    throw err;
  }
  const events = await allPages(`v1/incidents/${encodeURIComponent(id)}/timeline`, 'events', 1000);
  const restricted = incident.tlp === 'RED' || incident.tlp === 'AMBER+STRICT';
  let audit = null;
  if (restricted) audit = await allPages(`v1/incidents/${encodeURIComponent(id)}/audit`, 'items', 500).catch(() => null);
  // A poll that finds nothing new changes nothing on the page.
  const key = JSON.stringify([incident.version, incident.status, events.length, events.at(-1)?.id ?? events.at(-1)?.at, audit?.length]);
  const polling = quiet && !force && shown?.id === incident.id && $('#incident-details') && $('#actions');
  if (polling && shown.key === key) return;
  // Polling refreshes what the page shows, never the forms someone may be typing in.
  const formsFor = polling ? shown.formsFor : incident.status;
  shown = { id: incident.id, status: incident.status, version: incident.version, restricted, key, formsFor };
  // A restricted incident's title stays out of the browser's history (and whatever syncs it).
  document.title = incident.tlp === 'RED' || incident.tlp === 'AMBER+STRICT' ? `TLP:${incident.tlp} incident · Concord` : `${incident.title} · Concord`;
  const myOrg = orgOf(session.claims);
  const ackOf = (org) => incident.acknowledgements.find((a) => a.orgId === org);
  const details = el('div', { id: 'incident-details' },
    el('h1', { id: 'incident-title', tabindex: -1 }, incident.title),
    el('p', { class: 'badges' }, tlpBadge(incident.tlp), ' ', sevBadge(incident.severity), ' ', el('span', { class: `status ${incident.status}`, text: incident.status })),
    restricted ? el('p', { id: 'restricted-banner', class: `banner ${tlpClass(incident.tlp)}`, role: 'note', text: SHARING_RULE[incident.tlp] }) : null,
    el('dl', { id: 'fields', class: 'fields' },
      field('Status', incident.status),
      field('Severity', incident.severity),
      field('Category', incident.category),
      field('TLP', `${incident.tlp}: ${TLP_MEANING[incident.tlp]}`),
      field('Reported by', `${ORG(incident.reporter.orgId)}${incident.reporter.source ? ` (${incident.reporter.source})` : ''}`),
      field('Reported', when(incident.reportedAt)),
      field('Acknowledged', when(incident.acknowledgedAt)),
      field('Assignee', incident.assignee ? `${ORG(incident.assignee.orgId)}${incident.assignee.responder ? ` — ${incident.assignee.responder}` : ''}` : 'nobody yet'),
      field('Assigned', when(incident.assignedAt)),
      field('Resolved', when(incident.resolvedAt)),
      incident.resolution ? field('Resolution', el('span', { class: 'pre', text: incident.resolution })) : null,
      field('Description', incident.description ? el('span', { class: 'pre', text: incident.description }) : '—'),
      field('Links', incident.links?.length ? el('ul', {}, incident.links.map((l) => el('li', {}, /^https?:/i.test(l.href) ? el('a', { href: l.href, rel: 'noopener noreferrer', target: '_blank', text: l.text || l.href }) : l.href))) : '—'),
      incident.dedupKey ? field('Deduplication key', incident.dedupKey) : null,
      incident.details && Object.keys(incident.details).length ? field('Details', el('pre', { class: 'details', text: JSON.stringify(incident.details, null, 2) })) : null,
      field('Id', el('code', { text: incident.id })),
      field('Version', String(incident.version))),
    el('h2', { text: 'Participants' }),
    el('ul', { id: 'participants', class: 'participants' }, incident.participants.map((org) => {
      const a = ackOf(org);
      return el('li', { 'data-org': org }, el('strong', { text: ORG(org) }), ' ',
        a ? el('span', { class: 'acked', text: `acknowledged${a.by ? ` by ${a.by}` : ''} via ${a.via}, ` }, when(a.at)) : el('span', { class: 'unacked', text: 'not acknowledged yet' }),
        incident.assignee?.orgId === org ? el('span', { class: 'assignee', text: ' · assignee' }) : null);
    })),
    el('h2', { text: 'Timeline' }),
    el('ol', { id: 'timeline', class: 'timeline' }, events.map((e) => el('li', { 'data-type': e.type },
      el('strong', { class: 'ev-type', text: e.type.replace('_', ' ') }), ' ', el('span', { text: describe(e) }),
      el('span', { class: 'meta' }, when(e.at), ` · ${[ORG(e.actor.orgId), e.actor.by].filter(Boolean).join(', ')} · ${e.actor.via}`)))),
    audit ? renderAudit(audit) : null);
  const body = $('#incident-body');
  if (polling) {
    keepingFocus(body, () => $('#incident-details').replaceWith(details));
    if (formsFor === incident.status) return;
    if (formsBusy()) return markStale(incident.status);
    shown.formsFor = incident.status;
    keepingFocus(body, () => $('#actions').replaceWith(renderActions(incident, ackOf(myOrg))));
    return;
  }
  body.replaceChildren(details, renderActions(incident, ackOf(myOrg)));
  if (!quiet) $('#incident-title').focus();
}

const READS = ['read', 'timeline', 'list', 'export', 'taxii', 'audit'];

/**
 * Who viewed a restricted incident: one line per person (or key), then every entry of the trail.
 * Opening it (read, timeline, export, TAXII, audit) and appearing in a list are counted apart: a
 * list on screen is read again at every poll.
 */
function renderAudit(audit) {
  const viewers = new Map();
  for (const a of audit.filter((x) => READS.includes(x.action))) {
    const key = a.actor.personId || a.actor.keyId || `${a.actor.orgId}/${a.actor.by}`;
    const v = viewers.get(key) || { actor: a.actor, count: 0, listed: 0, last: a.at, denied: 0 };
    if (a.action === 'list') v.listed += 1;
    else v.count += 1;
    if (a.outcome === 'denied') v.denied += 1;
    if (a.at > v.last) v.last = a.at;
    viewers.set(key, v);
  }
  return el('section', { id: 'audit', 'aria-labelledby': 'audit-heading' },
    el('h2', { id: 'audit-heading', text: 'Who viewed it' }),
    el('p', { class: 'note', text: 'Every read of this restricted incident is recorded in the audit trail.' }),
    el('ul', { class: 'audit', id: 'viewers' }, [...viewers.values()].map((v) => el('li', {},
      el('strong', { text: v.actor.by || (v.actor.keyId ? 'a system (API key)' : ORG(v.actor.orgId)) }),
      ` (${ORG(v.actor.orgId)}, ${v.actor.via}) · ${v.count} ${v.count === 1 ? 'read' : 'reads'}${v.denied ? `, ${v.denied} refused` : ''}`,
      v.listed ? ` · in ${v.listed} ${v.listed === 1 ? 'list' : 'lists'}` : '', ' · last ', when(v.last)))),
    el('details', {}, el('summary', { text: `Every entry (${audit.length})` }),
      el('ul', { class: 'audit' }, audit.map((a) => el('li', {},
        el('strong', { text: a.actor.by || ORG(a.actor.orgId) }), ` (${ORG(a.actor.orgId)}, ${a.actor.via}) ${a.action}${a.outcome === 'denied' ? ' — refused' : ''} · `, when(a.at))))));
}

function actionForm(id, legend, fields, button, submit, { draft } = {}) {
  const error = el('p', { class: 'error', role: 'alert', id: `${id}-error` });
  const form = el('form', { id, class: 'action', novalidate: true, 'aria-labelledby': `${id}-legend` },
    el('h3', { id: `${id}-legend`, text: legend }), ...fields, error, el('button', { type: 'submit', class: 'primary', text: button }));
  const clear = draft ? bindDraft(form, draft) : () => {};
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    for (const f of $$('.field-error', form)) f.textContent = '';
    const b = $('button[type=submit]', form);
    b.disabled = true;
    try {
      const message = await submit(form);
      if (message === false) return;
      clear();
      flash(message, { focus: true });
      await renderIncident(shown.id, { quiet: true, force: true }); // redraw the forms for the new state
    } catch (err) {
      if (err.status === 409) {
        const current = err.body?.currentStatus;
        error.textContent = `Not done: the incident is ${current || 'in another state'} now. The page shows its current state.`;
        flash(`That could not be done: the incident is already ${current || 'in another state'}. Showing its current state.`, { focus: true });
        await renderIncident(shown.id, { quiet: true, force: true });
        $('#actions-error').textContent = `Not done: the incident is already ${current || 'in another state'}.`;
      } else if (err.status === 400 && err.body?.errors?.length) {
        error.textContent = `Not sent: ${err.body.errors.map((x) => `${x.path}: ${x.message}`).join('; ')}`;
      } else if (err.status === 404) {
        shown = { id: shown.id, missing: true };
        show('view-not-found');
      } else {
        error.textContent = err.status === 403 ? 'Your role may not do this (managers read; partners\' people act).' : `Not done: ${err.message}`;
      }
    } finally {
      b.disabled = false;
    }
  });
  return form;
}

const textField = (id, label, { multiline = false, max, required = false, hint } = {}) => el('div', { class: 'field' },
  el('label', { for: id, text: `${label}${required ? ' *' : ''}` }),
  el(multiline ? 'textarea' : 'input', { id, name: id, rows: multiline ? 3 : undefined, required, 'aria-describedby': `${id}-error${hint ? ` ${id}-hint` : ''}` }),
  hint ? el('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  el('p', { class: 'field-error', id: `${id}-error` }));

function fieldProblem(form, id, message) {
  const input = $(`#${id}`, form);
  $(`#${id}-error`, form).textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  return false;
}

const visible = (s) => /[^\s\u200b-\u200d\u2060\ufeff]/.test(s);

function renderActions(incident, myAck) {
  const wrap = el('section', { id: 'actions', 'aria-labelledby': 'actions-heading' }, el('h2', { id: 'actions-heading', text: 'Actions', tabindex: -1 }), el('p', { id: 'actions-error', class: 'error', role: 'alert' }));
  if (isManager) {
    wrap.append(el('p', { class: 'note', text: 'Managers follow incidents; the participants\' people act on them.' }));
    return wrap;
  }
  const open = incident.status !== 'resolved';
  const id = incident.id;
  const path = (a) => `v1/incidents/${encodeURIComponent(id)}/${a}`;
  if (open && !myAck) {
    wrap.append(actionForm('act-ack', 'Acknowledge', [el('p', { class: 'note', text: 'Tell the other participants your organization has seen it and is on it.' })], 'Acknowledge', async () => {
      const done = await api(path('acknowledge'), { method: 'POST', body: {} });
      return `Acknowledged. The other participants are being notified (status: ${done.status}).`;
    }));
  }
  if (open) {
    const select = el('select', { id: 'assign-org', name: 'assign-org', required: true, 'aria-describedby': 'assign-org-error' },
      el('option', { value: '', text: 'Choose…' }), incident.participants.map((o) => el('option', { value: o, text: ORG(o), selected: incident.assignee?.orgId === o })));
    wrap.append(actionForm('act-assign', incident.assignee ? 'Reassign' : 'Assign', [
      el('div', { class: 'field' }, el('label', { for: 'assign-org', text: 'Organization *' }), select, el('p', { class: 'field-error', id: 'assign-org-error' })),
      textField('assign-responder', 'Responder (a team or a person)', { hint: 'At most 200 characters.' }),
    ], 'Assign', async (form) => {
      const orgId = $('#assign-org', form).value;
      const responder = $('#assign-responder', form).value.trim();
      if (!orgId) return fieldProblem(form, 'assign-org', 'Choose the participating organization that takes it.');
      if (responder.length > 200) return fieldProblem(form, 'assign-responder', 'At most 200 characters.');
      await api(path('assign'), { method: 'POST', body: { orgId, ...(responder ? { responder } : {}) } });
      return `Assigned to ${ORG(orgId)}${responder ? ` (${responder})` : ''}.`;
    }, { draft: `assign:${id}` }));
  }
  wrap.append(actionForm('act-note', 'Add a note', [textField('note-text', 'Note', { multiline: true, required: true, hint: 'At most 5,000 characters. Every participant sees it.' })], 'Add note', async (form) => {
    const text = $('#note-text', form).value;
    if (!visible(text)) return fieldProblem(form, 'note-text', 'Write the note.');
    if (text.length > 5000) return fieldProblem(form, 'note-text', 'At most 5,000 characters.');
    await api(path('notes'), { method: 'POST', body: { text } });
    return 'Note added.';
  }, { draft: `note:${id}` }));
  if (open) {
    wrap.append(actionForm('act-resolve', 'Resolve', [textField('resolution', 'Resolution', { multiline: true, required: true, hint: 'What was done. At most 5,000 characters.' })], 'Resolve', async (form) => {
      const resolution = $('#resolution', form).value;
      if (!visible(resolution)) return fieldProblem(form, 'resolution', 'Say how it was resolved.');
      if (resolution.length > 5000) return fieldProblem(form, 'resolution', 'At most 5,000 characters.');
      await api(path('resolve'), { method: 'POST', body: { resolution } });
      return 'Resolved. The participants are being notified.';
    }, { draft: `resolve:${id}` }));
  }
  return wrap;
}

// ---------- the report form ----------
let reportReady = false;
let clearReportDraft = () => {};

async function renderReport() {
  show('view-report');
  document.title = 'Report an incident · Concord';
  const form = $('#report-form');
  if (!reportReady) {
    $('#r-tlp').append(...TLPS.slice().reverse().map((t) => {
      const id = `r-tlp-${t.replace('+', '-')}`;
      return el('div', { class: 'check' },
        el('input', { type: 'radio', name: 'tlp', id, value: t, checked: t === 'AMBER', 'aria-describedby': `${id}-meaning` }),
        el('label', { for: id }, tlpBadge(t, false)),
        el('p', { class: 'hint', id: `${id}-meaning`, text: TLP_MEANING[t] }));
    }));
    $('#r-tlp').append($('#r-tlp-error'));
    try {
      directory ??= (await api('v1/directory')).items;
    } catch (err) {
      directory = [];
      $('#r-participants-error').textContent = `Could not load the directory: ${err.message}`;
    }
    const mine = orgOf(session.claims);
    $('#r-participants-list').replaceChildren(...directory.map((o) => el('div', { class: 'check' },
      el('input', { type: 'checkbox', name: 'participants', id: `r-p-${o.id}`, value: o.id, checked: o.id === mine, disabled: o.id === mine }),
      el('label', { for: `r-p-${o.id}`, text: `${o.name} (${ORG(o.id)})${o.id === mine ? ' — yours, always' : ''}` }))));
    clearReportDraft = bindDraft(form, 'report');
    reportReady = true;
  }
}

function reportErrors(data) {
  const errors = [];
  if (!visible(data.title)) errors.push({ path: 'title', message: 'Give the incident a title.' });
  else if (data.title.length > 200) errors.push({ path: 'title', message: 'At most 200 characters.' });
  else if (/[\u0000-\u001f\u007f]/.test(data.title)) errors.push({ path: 'title', message: 'One line, no control characters.' });
  if (data.description && data.description.length > 10000) errors.push({ path: 'description', message: `At most 10,000 characters (now ${data.description.length}).` });
  if (data.description && !visible(data.description)) errors.push({ path: 'description', message: 'Write something, or leave it empty.' });
  if (!SEVERITIES.includes(data.severity)) errors.push({ path: 'severity', message: 'Choose a severity.' });
  if (!data.category) errors.push({ path: 'category', message: 'Choose a category.' });
  if (!TLPS.includes(data.tlp)) errors.push({ path: 'tlp', message: 'Choose how it may be shared.' });
  if (data.participants.length > 50) errors.push({ path: 'participants', message: 'At most 50 organizations.' });
  if (data.links.length > 20) errors.push({ path: 'links', message: 'At most 20 links.' });
  data.links.forEach((l, i) => {
    let ok = false;
    try { ok = /^https?:$/.test(new URL(l.href).protocol) && l.href.length <= 2048; } catch { ok = false; }
    if (!ok) errors.push({ path: 'links', message: `Line ${i + 1}: not an http(s) address.` });
    else if (l.text && l.text.length > 200) errors.push({ path: 'links', message: `Line ${i + 1}: the text is over 200 characters.` });
  });
  return errors;
}

function showFieldErrors(errors) {
  const fields = { title: 'r-title', description: 'r-description', severity: 'r-severity', category: 'r-category', tlp: 'r-tlp', participants: 'r-participants', links: 'r-links' };
  const unplaced = [];
  let first = null;
  for (const e of errors) {
    const name = String(e.path).replace(/^body\./, '').split('.')[0];
    const id = fields[name];
    if (!id) { unplaced.push(`${e.path}: ${e.message}`); continue; }
    const out = $(`#${id}-error`);
    out.textContent = out.textContent ? `${out.textContent} ${e.message}` : e.message;
    $(`#${id}`).setAttribute('aria-invalid', 'true');
    first ??= $(`#${id}`);
  }
  if (unplaced.length) $('#report-error').textContent = unplaced.join('; ');
  (first?.matches('fieldset') ? $('input', first) : first)?.focus();
}

$('#report-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  for (const p of $$('.field-error', form)) p.textContent = '';
  for (const i of $$('[aria-invalid]', form)) i.removeAttribute('aria-invalid');
  $('#report-error').textContent = '';
  const links = $('#r-links').value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [href, ...text] = l.split(/\s+/);
    return text.length ? { href, text: text.join(' ') } : { href };
  });
  const data = {
    title: $('#r-title').value.trim(),
    description: $('#r-description').value,
    severity: $('#r-severity').value,
    category: $('#r-category').value,
    tlp: $('input[name=tlp]:checked', form)?.value,
    participants: $$('input[name=participants]:checked', form).map((c) => c.value),
    links,
  };
  const errors = reportErrors(data);
  if (errors.length) return showFieldErrors(errors);
  const body = { title: data.title, severity: data.severity, category: data.category, tlp: data.tlp };
  if (data.description.trim()) body.description = data.description;
  if (data.participants.length) body.participants = data.participants;
  if (links.length) body.links = links;
  const button = $('button[type=submit]', form);
  button.disabled = true;
  try {
    const incident = await api('v1/incidents', { method: 'POST', body });
    clearReportDraft();
    form.reset();
    flash(`Reported “${incident.title}”. The participants are being notified.`, { keep: true });
    location.hash = `#/incidents/${encodeURIComponent(incident.id)}`;
  } catch (err) {
    if (err.body?.errors?.length) showFieldErrors(err.body.errors);
    else $('#report-error').textContent = err.status === 403 ? 'Your role may not report incidents (partners\' people and systems report).' : `Not reported: ${err.message}`;
  } finally {
    button.disabled = false;
  }
});

// ---------- the managers' metrics ----------
function draw(target, data, series, opts = {}) {
  const node = $(target);
  node.replaceChildren();
  const width = Math.max(260, Math.min(node.clientWidth || 420, 900));
  const chart = new uPlot({
    width, height: 240,
    series: [{}, ...series], axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((t) => +t.toPrecision(3)) }], scales: { x: { time: opts.time !== false } }, ...opts.uplot,
  }, data, node);
  charts.push(chart);
  return chart;
}

async function renderMetrics() {
  show('view-metrics');
  document.title = 'Response times · Concord';
  $('#metrics-denied').hidden = isManager;
  $('#dashboard').hidden = !isManager;
  if (!isManager) return;
  charts.splice(0).forEach((c) => c.destroy());
  const days = Number($('#days').value);
  const today = new Date();
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + DAY;
  const starts = Array.from({ length: days }, (_, i) => end - (days - i) * DAY);
  const daily = await Promise.all(starts.map((t) => api(`v1/metrics?from=${new Date(t).toISOString()}&to=${new Date(t + DAY).toISOString()}&groupBy=severity`)));
  const x = starts.map((t) => t / 1000);
  const bySeverity = (name, unit) => SEVERITIES.map((s) => daily.map((d) => {
    const g = d.groups.find((group) => group.key === s);
    const v = g && g[name].p50Seconds;
    return v == null ? null : v / unit;
  }));
  const severitySeries = SEVERITIES.map((s) => ({ label: s, stroke: COLORS[s], width: 2, spanGaps: true, points: { show: true } }));
  draw('#chart-tta', [x, ...bySeverity('timeToAcknowledge', 60)], severitySeries);
  draw('#chart-ttr', [x, ...bySeverity('timeToResolve', 3600)], severitySeries);
  const byOrg = await api(`v1/metrics?from=${new Date(starts[0]).toISOString()}&to=${new Date(end).toISOString()}&groupBy=org`);
  const orgs = byOrg.groups.filter((g) => g.timeToAcknowledge.count > 0);
  draw('#chart-org', [orgs.map((_, i) => i), orgs.map((g) => g.timeToAcknowledge.p50Seconds / 60)], [
    { label: 'median minutes', stroke: '#0b5fff', fill: 'rgba(11,95,255,.35)', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } },
  ], { time: false, uplot: {
    scales: { x: { time: false, range: [-0.5, Math.max(orgs.length, 1) - 0.5] }, y: { range: (_u, _min, max) => [0, (max || 1) * 1.1] } },
    axes: [{ splits: () => orgs.map((_, i) => i), values: (_u, ticks) => ticks.map((t) => (orgs[t] ? orgs[t].key : '')) }, { size: 60, values: (_u, ticks) => ticks.map((t) => +t.toPrecision(3)) }],
  } });
}
$('#days').addEventListener('change', () => renderMetrics());

// ---------- start ----------
$('#sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  $('#sign-in-error').textContent = '';
  const key = $('#key').value.trim();
  if (!key) { $('#sign-in-error').textContent = 'Enter the API key.'; return; }
  useKey(key).then(() => { showSignedIn(); return render(); }).catch((err) => {
    session = null;
    $('#sign-in-error').textContent = err.status === 401 ? 'Unknown or revoked key.' : err.message;
  });
});
$('#oidc-sign-in').addEventListener('click', () => { store.removeItem(S_REAUTH); startSignIn({ fresh: true }).catch((err) => { $('#oidc-error').textContent = err.message; }); });
$('#sign-out').addEventListener('click', signOut);
addEventListener('hashchange', () => { if (!keepFlash) flash(''); keepFlash = false; render(); });
$('.skip').addEventListener('click', (e) => { e.preventDefault(); $('#main').focus(); });
/** One poll; `data-polls` on <html> counts the finished ones (tests wait on it). */
function poll() {
  if (document.visibilityState !== 'visible' || !session || !polled()) return;
  render({ quiet: true }).finally(() => { document.documentElement.dataset.polls = String(Number(document.documentElement.dataset.polls ?? 0) + 1); });
}
document.addEventListener('visibilitychange', poll);
/** Lists and incident pages update by themselves every 15 s while the tab is visible (forms are left alone). */
// An expired sign-in is renewed on the person's next action, not by a poll in the middle of typing.
// A restricted incident's page is not polled: every read of it is an entry in its audit trail, and
// "who viewed it" should count people's views, not a timer's. It refreshes after each action.
// "Not found" is not polled either: each poll would be one more refused read in the audit trail.
const polled = () => /^\/incidents(\/|$)/.test(route().path) && !((shown?.restricted || shown?.missing) && route().path !== '/incidents')
  && !(session?.expiresAt && Date.now() > session.expiresAt - 10000);
setInterval(poll, POLL_MS);

async function start() {
  try {
    config = await (await fetch('app/config.json')).json();
  } catch { config = { issuer: null }; }
  const query = new URLSearchParams(location.search);
  try {
    if (query.has('state') && (query.has('code') || query.has('error'))) await finishSignIn(query);
    else session = JSON.parse(store.getItem(S_SESSION) || 'null');
    if (!session) return showSignedOut();
    await learnRole();
    showSignedIn();
    await render();
  } catch (err) {
    const message = err.status === 401 ? refusedMessage(err) : err.message;
    session = null;
    store.removeItem(S_SESSION);
    showSignedOut(message);
  }
}
start();
