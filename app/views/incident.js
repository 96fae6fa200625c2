// An incident's page: its fields, participants, timeline and (restricted incidents) who viewed
// it, then the actions; polling refreshes what it shows, never the forms someone is typing in.
// Everything people or partners wrote is isolated: titles and names in <bdi>, text over lines
// with dir="auto".

import { allPages, api } from '../api.js';
import { $, $$, ORG, SHARING_RULE, TLP_MEANING, bdi, el, isRestricted, isolated, keepingFocus, prose, sevBadge, tlpBadge, tlpClass, when } from '../dom.js';
import { orgOf, state } from '../state.js';
import { renderActions } from './actions.js';
import { overdue, renderRelated, renderStatus } from './coordination.js';
import { show } from './shell.js';
import { observableForm, observableText, relatedOf, renderMatches, renderObservables } from './observables.js';

const ABOUT = {
  reported: 'the report', acknowledged: 'the acknowledgement', assigned: 'the assignment', resolved: 'the resolution', note: 'a note', escalated: 'the escalation',
  participants_added: 'being brought in', reopened: 'the reopening', status_update: 'a status update', update_due: 'an overdue status update',
  correlated: 'a shared observable',
};

/** An incident's id, as a link to its page (the viewer may not see it: the page then says so). */
const incidentLink = (id) => el('a', { href: `#/incidents/${encodeURIComponent(String(id ?? ''))}` }, el('code', { text: String(id ?? '') }));

/** One field's change in an `updated` event: values people wrote stay isolated. */
function changed(field, { from, to } = {}) {
  switch (field) {
    case 'title': return ['the title from ', ...quoted(from), ' to ', ...quoted(to)];
    case 'description': return [to ? 'the description' : 'removed the description'];
    case 'links': return [Array.isArray(to) && to.length ? `the links (now ${to.length})` : 'removed the links'];
    case 'tlp': return [`the TLP from TLP:${from} to TLP:${to}`];
    case 'severity': case 'category': return [`the ${field} from ${from} to ${to}`];
    default: return [`the ${field}`];
  }
}
const joined = (parts) => parts.flatMap((p, i) => (i === 0 ? p : [i === parts.length - 1 ? ' and ' : ', ', ...p]));

/** A quoted text someone wrote, isolated. */
const quoted = (text) => ['“', prose(text ?? ''), '”'];

/** A timeline event in words (nodes: what people wrote stays isolated); exported for the app's tests. */
export function describe(e) {
  const d = e.data || {};
  const who = ORG(e.actor.orgId);
  const by = e.actor.by ? [' (', bdi(e.actor.by), ')'] : [];
  const note = d.note ? [' ', ...quoted(d.note)] : [];
  switch (e.type) {
    case 'reported': return [who, ...by, ' reported the incident.'];
    case 'acknowledged': return [who, ' acknowledged', ...by, '.', ...note];
    case 'assigned': return [who, ...by, ` assigned it to ${ORG(d.assignee?.orgId)}`, ...(d.assignee?.responder ? [' (', bdi(d.assignee.responder), ')'] : []), '.', ...note];
    case 'resolved': return [who, ...by, ' resolved it: ', ...quoted(d.resolution)];
    case 'note': return [who, ...by, ' wrote: ', ...quoted(d.text)];
    case 'notified': return [`${ORG(d.orgId)} notified of ${ABOUT[d.aboutType] || d.aboutType || 'a change'}${d.audience === 'red' ? ' (cleared contacts)' : ''}.`];
    case 'notification_failed': return [`Notifying ${ORG(d.orgId)} of ${ABOUT[d.aboutType] || d.aboutType || 'a change'} failed`, ...(d.reason ? [': ', bdi(d.reason)] : []), '.'];
    case 'escalated': return [`Escalated (level ${d.level}): not acknowledged for ${Math.round(Number(d.unacknowledgedSeconds || 0) / 60)} minutes.`];
    case 'participants_added': return [who, ...by, ` brought in ${(Array.isArray(d.orgIds) ? d.orgIds : []).map(ORG).join(', ')}.`, ...note];
    case 'updated': return [who, ...by, ' changed ', ...joined(Object.entries(d.changes || {}).map(([f, c]) => changed(f, c))), '.'];
    case 'reopened': return [who, ...by, ' reopened it: ', ...quoted(d.reason)];
    case 'status_update': return [who, ...by, ' posted an update', d.phase ? ` (${d.phase})` : '', ': ', ...quoted(d.summary),
      ...(d.nextUpdateDueAt ? [' Next update due ', when(d.nextUpdateDueAt), '.'] : [])];
    case 'update_due': return ['The status update due ', when(d.dueAt), ` was not posted: ${ORG(d.orgId)} reminded.`];
    case 'linked': return [who, ...by, ` marked it ${d.relation === 'duplicate' ? 'a duplicate of' : 'related to'} `, incidentLink(d.incidentId), '.'];
    case 'unlinked': return [who, ...by, ' removed the link to ', incidentLink(d.incidentId), d.relation ? ` (${d.relation})` : '', '.'];
    case 'observables_added': return [who, ...by, ' added ', ...(Array.isArray(d.observables) ? d.observables : []).flatMap((o, i) => [i ? ', ' : '', ...observableText(o)]), '.'];
    case 'correlated': return ['Shares ', ...(Array.isArray(d.observables) ? d.observables : []).flatMap((o, i) => [i ? ', ' : '', ...observableText(o)]), ' with ', incidentLink(d.incidentId), ...(d.title ? [' (', bdi(d.title), ')'] : []), '.'];
    default: return [e.type];
  }
}

function field(label, ...value) { return [el('dt', { text: label }), el('dd', {}, ...value)]; }

/** Whether someone is at work in the action forms: a field of theirs has the focus, or a change not sent yet (the edit form starts filled in). */
function formsBusy() {
  const actions = $('#actions');
  if (!actions) return false;
  return actions.contains(document.activeElement)
    || $$('textarea, input:not([type]), input[type=text], input[type=number]', actions).some((f) => f.value.trim() !== f.defaultValue.trim())
    || $$('input[type=checkbox]', actions).some((f) => f.checked !== f.defaultChecked)
    || $$('select', actions).some((f) => f.value !== ([...f.options].find((o) => o.defaultSelected) ?? f.options[0])?.value);
}

/** The incident changed under forms someone is using: say so, and let them redraw the forms when they are ready. */
function markStale(status, version) {
  const text = `This incident changed (it is ${status} now, version ${version}): the actions below may no longer apply. `;
  const notice = $('#actions-stale');
  if (notice) { notice.firstChild.textContent = text; return; }
  $('#actions-heading').after(el('p', { id: 'actions-stale', class: 'note', role: 'status' }, text,
    el('button', { type: 'button', text: 'Refresh the actions', onclick: async () => {
      await renderIncident(state.shown.id, { quiet: true, force: true });
      $('#actions-heading')?.focus(); // the button is gone with the old forms: start from the new ones
    } })));
}

/** Shows "not found": the same for a missing incident and one the person may not see. */
export function showNotFound(id, { focus = false } = {}) {
  state.shown = { id, missing: true };
  show('view-not-found');
  document.title = 'Not found · Concord';
  if (focus) $('#not-found-heading').focus();
}

export async function renderIncident(id, { quiet, force = false }) {
  show('view-incident');
  let incident;
  try {
    incident = await api(`v1/incidents/${encodeURIComponent(id)}`);
  } catch (err) {
    // Not polled: every read of an incident the person may not see is a refused read in its audit trail.
    if (err.status === 404) return showNotFound(id, { focus: !quiet });
    throw err;
  }
  const events = await allPages(`v1/incidents/${encodeURIComponent(id)}/timeline`, 'events', 1000);
  const restricted = isRestricted(incident.tlp);
  // Matches come only through observables: an incident without any asks nothing more (nor records a read).
  const related = incident.observables?.length ? await relatedOf(incident.id) : [];
  let audit = null;
  if (restricted) audit = await allPages(`v1/incidents/${encodeURIComponent(id)}/audit`, 'items', 500).catch(() => null);
  // A poll that finds nothing new changes nothing on the page.
  const key = JSON.stringify([incident.version, incident.status, events.length, events.at(-1)?.id ?? events.at(-1)?.at, audit?.length, overdue(incident), related.map((r) => [r.incident.id, r.shared?.length])]);
  const { shown } = state;
  const polling = quiet && !force && shown?.id === incident.id && $('#incident-details') && $('#actions');
  if (polling && shown.key === key) return;
  // Polling refreshes what the page shows, never the forms someone may be typing in. The forms
  // are drawn for a version (the edit form shows its fields, and sends it as If-Match).
  const drawn = `${incident.status}#${incident.version}`;
  const formsFor = polling ? shown.formsFor : drawn;
  state.shown = { id: incident.id, status: incident.status, version: incident.version, restricted, key, formsFor };
  // A restricted incident's title stays out of the browser's history (and whatever syncs it).
  document.title = restricted ? `TLP:${incident.tlp} incident · Concord` : `${isolated(incident.title)} · Concord`;
  const myOrg = orgOf(state.session.claims);
  const refresh = () => renderIncident(incident.id, { quiet: true, force: true });
  const canAct = !state.isManager && (!myOrg || incident.participants.includes(myOrg));
  const ackOf = (org) => incident.acknowledgements.find((a) => a.orgId === org);
  const details = el('div', { id: 'incident-details' },
    el('h1', { id: 'incident-title', tabindex: -1, dir: 'auto' }, incident.title),
    el('p', { class: 'badges' }, tlpBadge(incident.tlp), ' ', sevBadge(incident.severity), ' ', el('span', { class: `status ${incident.status}`, text: incident.status })),
    restricted ? el('p', { id: 'restricted-banner', class: `banner ${tlpClass(incident.tlp)}`, role: 'note', text: SHARING_RULE[incident.tlp] }) : null,
    el('dl', { id: 'fields', class: 'fields' },
      field('Status', incident.status),
      field('Severity', incident.severity),
      field('Category', incident.category),
      field('TLP', `${incident.tlp}: ${TLP_MEANING[incident.tlp]}`),
      field('Reported by', ORG(incident.reporter.orgId), ...(incident.reporter.source ? [' (', bdi(incident.reporter.source), ')'] : [])),
      field('Reported', when(incident.reportedAt)),
      field('Acknowledged', when(incident.acknowledgedAt)),
      field('Assignee', ...(incident.assignee ? [ORG(incident.assignee.orgId), ...(incident.assignee.responder ? [' — ', bdi(incident.assignee.responder)] : [])] : ['nobody yet'])),
      field('Assigned', when(incident.assignedAt)),
      field('Resolved', when(incident.resolvedAt)),
      incident.resolution ? field('Resolution', prose(incident.resolution, { class: 'pre', id: 'resolution-text' })) : null,
      field('Description', incident.description ? prose(incident.description, { class: 'pre', id: 'description-text' }) : '—'),
      field('Links', incident.links?.length ? el('ul', {}, incident.links.map((l) => el('li', {}, /^https?:/i.test(l.href) ? el('a', { href: l.href, rel: 'noopener noreferrer', target: '_blank' }, bdi(l.text || l.href)) : bdi(l.href)))) : '—'),
      incident.dedupKey ? field('Deduplication key', bdi(incident.dedupKey)) : null,
      incident.details && Object.keys(incident.details).length ? field('Details', el('pre', { class: 'details', dir: 'auto', text: JSON.stringify(incident.details, null, 2) })) : null,
      field('Id', el('code', { text: incident.id })),
      field('Version', String(incident.version))),
    renderStatus(incident),
    renderObservables(incident),
    el('h2', { text: 'Participants' }),
    el('ul', { id: 'participants', class: 'participants' }, incident.participants.map((org) => {
      const a = ackOf(org);
      return el('li', { 'data-org': org }, el('strong', { text: ORG(org) }), ' ',
        a ? el('span', { class: 'acked' }, 'acknowledged', ...(a.by ? [' by ', bdi(a.by)] : []), ` via ${a.via}, `, when(a.at)) : el('span', { class: 'unacked', text: 'not acknowledged yet' }),
        incident.assignee?.orgId === org ? el('span', { class: 'assignee', text: ' · assignee' }) : null);
    })),
    el('h2', { text: 'Timeline' }),
    el('ol', { id: 'timeline', class: 'timeline' }, events.map((e) => el('li', { 'data-type': e.type },
      el('strong', { class: 'ev-type', text: e.type.replace('_', ' ') }), ' ', el('span', {}, ...describe(e)),
      el('span', { class: 'meta' }, when(e.at), ' · ', ORG(e.actor.orgId), ...(e.actor.by ? [', ', bdi(e.actor.by)] : []), ` · ${e.actor.via}`)))),
    renderRelated(incident, { canAct, refresh }),
    renderMatches(related),
    audit ? renderAudit(audit) : null);
  const body = $('#incident-body');
  const actions = () => {
    const drawnActions = renderActions(incident, ackOf(myOrg), { refresh, myOrg });
    if (canAct && incident.participants.includes(myOrg)) drawnActions.append(observableForm(incident, { refresh }));
    return drawnActions;
  };
  if (polling) {
    keepingFocus(body, () => $('#incident-details').replaceWith(details));
    if (formsFor === drawn) return;
    if (formsBusy()) return markStale(incident.status, incident.version);
    state.shown.formsFor = drawn;
    const editOpen = $('#edit-details')?.open;
    keepingFocus(body, () => $('#actions').replaceWith(actions()));
    if (editOpen && $('#edit-details')) $('#edit-details').open = true;
    return;
  }
  body.replaceChildren(details, actions());
  if (!quiet) $('#incident-title').focus();
}

const READS = ['read', 'timeline', 'list', 'export', 'taxii', 'audit', 'related', 'lookup'];
const actorName = (actor, fallback) => (actor.by ? bdi(actor.by) : fallback);

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
    if (a.action === 'list' || a.action === 'lookup') v.listed += 1;
    else v.count += 1;
    if (a.outcome === 'denied') v.denied += 1;
    if (a.at > v.last) v.last = a.at;
    viewers.set(key, v);
  }
  return el('section', { id: 'audit', 'aria-labelledby': 'audit-heading' },
    el('h2', { id: 'audit-heading', text: 'Who viewed it' }),
    el('p', { class: 'note', text: 'Every read of this restricted incident is recorded in the audit trail.' }),
    el('ul', { class: 'audit', id: 'viewers' }, [...viewers.values()].map((v) => el('li', {},
      el('strong', {}, actorName(v.actor, v.actor.keyId ? 'a system (API key)' : ORG(v.actor.orgId))),
      ` (${ORG(v.actor.orgId)}, ${v.actor.via}) · ${v.count} ${v.count === 1 ? 'read' : 'reads'}${v.denied ? `, ${v.denied} refused` : ''}`,
      v.listed ? ` · in ${v.listed} ${v.listed === 1 ? 'list' : 'lists'}` : '', ' · last ', when(v.last)))),
    el('details', {}, el('summary', { text: `Every entry (${audit.length})` }),
      el('ul', { class: 'audit' }, audit.map((a) => el('li', {},
        el('strong', {}, actorName(a.actor, ORG(a.actor.orgId))), ` (${ORG(a.actor.orgId)}, ${a.actor.via}) ${a.action}${a.outcome === 'denied' ? ' — refused' : ''} · `, when(a.at))))));
}
