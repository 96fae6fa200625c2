// The page around the views: which view shows, the header (who is signed in, the navigation),
// and the sign-in screen.

import { $, $$, ORG, bdi } from '../dom.js';
import { orgOf, state } from '../state.js';

/** Shows the section `view` (its id), and marks its navigation link as the current page. */
export function show(view) {
  for (const v of $$('main > section')) v.hidden = v.id !== view;
  for (const a of $$('#nav a')) {
    if (`view-${a.dataset.nav === 'incidents' ? 'list' : a.dataset.nav}` === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

export function showSignedIn() {
  const { session, isManager, isAdmin } = state;
  $('#signed-out').hidden = true;
  $('#nav').hidden = false;
  $('#sign-out').hidden = false;
  $('#nav-metrics').hidden = !isManager;
  $('#nav a[data-nav=report]').hidden = isManager || isAdmin; // the API refuses their reports (403)
  // On call is a person's organization's (the app knows a key's organization not): people only.
  $('#nav a[data-nav=oncall]').hidden = session.kind !== 'oidc';
  const c = session.claims || {};
  const manager = isManager ? ' · manager' : '';
  // The name is the provider's (as the person or their organization wrote it): isolated.
  $('#who').replaceChildren(...(session.kind === 'oidc'
    ? [bdi(c.name || c.preferred_username || c.sub || 'Signed in'), `${orgOf(c) ? ` · ${ORG(orgOf(c))}` : ''}${manager}`]
    : [`API key${manager}`]));
}

export function showSignedOut(message) {
  for (const v of $$('main > section')) v.hidden = true;
  $('#signed-out').hidden = false;
  $('#nav').hidden = true;
  $('#sign-out').hidden = true;
  $('#who').textContent = '';
  $('#oidc-box').hidden = !state.config.issuer;
  $('#key-sign-in').open = !state.config.issuer;
  if (message) $('#oidc-error').textContent = message;
}
