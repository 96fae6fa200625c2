// The incidents list: open first, newest first, filtered by status, severity and TLP (the
// filters live in the URL), updated by polling without re-announcing what did not change.

import { lookupBox } from './observables.js';
import { allPages } from '../api.js';
import { $, ORG, bdi, el, keepingFocus, options, sevBadge, tlpBadge, when } from '../dom.js';
import { rules } from '../rules.js';
import { show } from './shell.js';

const isOpen = (i) => i.status !== 'resolved';
let loads = 0;
/** What the list shows (filters, ids, versions), for polling. */
let shownList = null;

/** The filters' choices, from the API's own lists. */
export function initList() {
  options($('#f-status'), rules.statuses, { first: [['open', 'Open'], ['all', 'All']] });
  options($('#f-severity'), rules.severities, { first: [['', 'Any']] });
  options($('#f-tlp'), rules.tlps.slice().reverse(), { first: [['', 'Any']], text: (t) => t });
  $('#filters').addEventListener('change', () => {
    const q = new URLSearchParams();
    for (const [k, id] of [['status', '#f-status'], ['severity', '#f-severity'], ['tlp', '#f-tlp']]) {
      const v = $(id).value;
      if (v && !(k === 'status' && v === 'open')) q.set(k, v);
    }
    location.hash = `#/incidents${q.size ? `?${q}` : ''}`;
  });
}

export async function renderList(params, { quiet }) {
  show('view-list');
  if (!$('#lookup-box')) $('#list-status').before(lookupBox());
  if (!quiet) document.title = 'Incidents · Concord';
  const filters = { status: params.get('status') || 'open', severity: params.get('severity') || '', tlp: params.get('tlp') || '' };
  $('#f-status').value = filters.status;
  $('#f-severity').value = filters.severity;
  $('#f-tlp').value = filters.tlp;
  const seq = ++loads;
  if (!quiet) $('#list-status').textContent = 'Loading…';
  // "Open" asks for each open status: one query for everything, capped, would lose old open
  // incidents behind newer resolved ones.
  const statuses = filters.status === 'open' ? rules.statuses.filter((s) => s !== 'resolved') : rules.statuses.includes(filters.status) ? [filters.status] : [null];
  let items;
  try {
    const lists = await Promise.all(statuses.map((status) => {
      const q = new URLSearchParams({ limit: '100' });
      if (status) q.set('status', status);
      if (rules.severities.includes(filters.severity)) q.set('severity', filters.severity);
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
  if (seq !== loads) return; // a newer load won
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
      el('td', { 'data-label': 'Title', class: 'title' }, el('a', { href }, bdi(incident.title))),
      el('td', { 'data-label': 'Status', text: incident.status }),
      el('td', { 'data-label': 'Participants', text: incident.participants.map(ORG).join(', ') }),
      el('td', { 'data-label': 'Reported' }, when(incident.reportedAt)));
    row.addEventListener('click', (e) => { if (!e.target.closest('a')) location.hash = href; });
    return row;
  })));
}
