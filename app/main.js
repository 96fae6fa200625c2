// Concord's responders' app: plain JavaScript over the public API in native ES modules (no
// framework, no build step), uPlot for the managers' charts. This entry loads where people sign
// in (app/config.json) and the API's rules (openapi.json), signs in, routes and polls.
//
//   api.js       the fetch wrapper: token, JSON, problem documents, paging
//   sign-in.js   OpenID Connect code + PKCE, or an API key; the role
//   rules.js     the API's enumerations, limits and text rules, from openapi.json
//   state.js     the session and the tab's storage
//   dom.js       DOM helpers, labels, the live region, isolation of outside text
//   drafts.js    what people type survives a re-sign-in
//   views/       shell (header, sign-in screen), list, incident (+ actions), report, metrics, on call
//
// Every URL is relative: behind API Gateway the app lives under /<stage>/. The API authorizes
// everything; what the page shows or hides is a convenience only.

import { $, flash, routeChanged } from './dom.js';
import { loadRules } from './rules.js';
import { chooseSignIn, dropSession, finishSignIn, isSignInAnswer, learnRole, refusedMessage, resumeSession, signOut, useKey } from './sign-in.js';
import { state } from './state.js';
import { renderIncident } from './views/incident.js';
import { initList, renderList } from './views/list.js';
import { initMetrics, renderMetrics } from './views/metrics.js';
import { renderOnCall } from './views/oncall.js';
import { initReport, renderReport } from './views/report.js';
import { showSignedIn, showSignedOut } from './views/shell.js';

const POLL_MS = 15000;

function route() {
  const hash = location.hash.replace(/^#/, '') || '/incidents';
  const [path, query = ''] = hash.split('?');
  return { path, params: new URLSearchParams(query) };
}

async function render({ quiet = false } = {}) {
  if (!state.session) return showSignedOut();
  const { path, params } = route();
  const m = /^\/incidents\/([^/]+)$/.exec(path);
  try {
    if (m) return await renderIncident(decodeURIComponent(m[1]), { quiet });
    state.shown = null;
    if (path === '/report') return await renderReport();
    if (path === '/metrics') return await renderMetrics();
    if (path === '/oncall') return await renderOnCall();
    return await renderList(params, { quiet });
  } catch (err) {
    if (err.status === 401) { // a revoked key, or a token the API no longer accepts
      const message = refusedMessage(err);
      dropSession();
      return showSignedOut(message);
    }
    if (err.status === 403) flash('Your role may not do that here.');
    else flash(`Something went wrong: ${err.message}`);
  }
}

/** Lists and incident pages update by themselves every 15 s while the tab is visible (forms are left alone). */
// An expired sign-in is renewed on the person's next action, not by a poll in the middle of typing.
// A restricted incident's page is not polled: every read of it is an entry in its audit trail, and
// "who viewed it" should count people's views, not a timer's. It refreshes after each action.
// "Not found" is not polled either: each poll would be one more refused read in the audit trail.
const polled = () => /^\/incidents(\/|$)/.test(route().path) && !((state.shown?.restricted || state.shown?.missing) && route().path !== '/incidents')
  && !(state.session?.expiresAt && Date.now() > state.session.expiresAt - 10000);

/** One poll; `data-polls` on <html> counts the finished ones (tests wait on it). */
function poll() {
  if (document.visibilityState !== 'visible' || !state.session || !polled()) return;
  render({ quiet: true }).finally(() => { document.documentElement.dataset.polls = String(Number(document.documentElement.dataset.polls ?? 0) + 1); });
}

function listen() {
  $('#sign-in').addEventListener('submit', (e) => {
    e.preventDefault();
    $('#sign-in-error').textContent = '';
    const key = $('#key').value.trim();
    if (!key) { $('#sign-in-error').textContent = 'Enter the API key.'; return; }
    useKey(key).then(() => { showSignedIn(); return render(); }).catch((err) => {
      state.session = null;
      $('#sign-in-error').textContent = err.status === 401 ? 'Unknown or revoked key.' : err.message;
    });
  });
  $('#oidc-sign-in').addEventListener('click', () => { chooseSignIn().catch((err) => { $('#oidc-error').textContent = err.message; }); });
  $('#sign-out').addEventListener('click', signOut);
  addEventListener('hashchange', () => { routeChanged(); render(); });
  $('.skip').addEventListener('click', (e) => { e.preventDefault(); $('#main').focus(); });
  document.addEventListener('visibilitychange', poll);
  setInterval(poll, POLL_MS);
}

async function start() {
  const [config, rules] = await Promise.allSettled([fetch('app/config.json').then((r) => r.json()), loadRules()]);
  state.config = config.status === 'fulfilled' ? config.value : { issuer: null };
  if (rules.status === 'rejected') return showSignedOut(`The app could not start: ${rules.reason.message}`);
  initList();
  initReport();
  initMetrics();
  listen();
  const query = new URLSearchParams(location.search);
  try {
    if (isSignInAnswer(query)) await finishSignIn(query);
    else resumeSession();
    if (!state.session) return showSignedOut();
    await learnRole();
    showSignedIn();
    await render();
  } catch (err) {
    const message = err.status === 401 ? refusedMessage(err) : err.message;
    dropSession();
    showSignedOut(message);
  }
}

start();
