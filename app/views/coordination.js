// Coordination on an incident's page: what it shows (the latest status update and when the next
// is due, the related incidents) and the actions — post a status update, bring organizations in,
// edit (with If-Match: the version the form shows), link to another incident, reopen, and join a
// community (GREEN/CLEAR) incident. The choices and limits come from the API's description
// (rules.js); whatever people or partners wrote stays isolated (dom.js).

import { api } from '../api.js';
import { $, $$, ORG, TLP_MEANING, bdi, el, flash, label, options, prose, when } from '../dom.js';
import { count, isVisible, maxOf, refuses, rules, tooLong } from '../rules.js';
import { state } from '../state.js';
import { actionForm, checkText, fieldProblem, textField } from './actions.js';

const path = (id, a = '') => `v1/incidents/${encodeURIComponent(id)}${a ? `/${a}` : ''}`;

/** Whether the promised update is late: its time has passed on an open incident. */
export const overdue = (incident, now = Date.now()) => !!incident.nextUpdateDueAt && incident.status !== 'resolved' && Date.parse(incident.nextUpdateDueAt) <= now;

const PHASE_LABEL = (phase) => label(phase);
const RELATION_TEXT = { related: 'related to', duplicate: 'a duplicate of' };
const relationText = (relation) => RELATION_TEXT[relation] ?? relation;

/** The latest status update and the next one's due time. */
export function renderStatus(incident) {
  const u = incident.lastUpdate;
  const late = overdue(incident);
  return el('section', { id: 'status-update', 'aria-labelledby': 'status-update-heading' },
    el('h2', { id: 'status-update-heading', text: 'Status update' }),
    el('div', { class: 'status-card' },
      u ? el('p', { id: 'last-update' },
        u.phase ? el('span', { class: `phase phase-${u.phase}`, text: PHASE_LABEL(u.phase) }) : null, u.phase ? ' ' : null,
        prose(u.summary, { class: 'pre', id: 'last-update-summary' }),
        el('span', { class: 'meta' }, ORG(u.actor?.orgId), ...(u.actor?.by ? [' (', bdi(u.actor.by), ')'] : []), ', ', when(u.at)))
        : el('p', { id: 'last-update', class: 'note', text: 'No status update yet.' }),
      el('p', { id: 'next-update', class: late ? 'overdue' : null },
        ...(incident.nextUpdateDueAt
          ? [late ? el('strong', { text: 'Overdue: ' }) : null, 'next update due ', when(incident.nextUpdateDueAt), late ? ' — it has not been posted.' : '.']
          : ['No next update promised.']))));
}

/** The incidents this one is linked to (only those the viewer may see), each a link, with a way to remove the link for participants. */
export function renderRelated(incident, { canAct, refresh }) {
  const related = incident.related ?? [];
  return el('section', { id: 'related-incidents', 'aria-labelledby': 'related-heading' },
    el('h2', { id: 'related-heading', text: 'Related incidents' }),
    related.length ? el('ul', { id: 'related', class: 'related' }, related.map((r) => el('li', { 'data-id': r.incidentId },
      el('span', {}, `${label(r.relation)}: `, el('a', { href: `#/incidents/${encodeURIComponent(r.incidentId)}` }, el('code', { text: r.incidentId }))),
      canAct ? el('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove link to ${r.incidentId}`, text: 'Remove link', onclick: (e) => unlink(incident, r, e.currentTarget, refresh) }) : null)))
      : el('p', { id: 'related', class: 'note', text: 'None linked.' }));
}

async function unlink(incident, r, button, refresh) {
  button.disabled = true;
  try {
    await api(path(incident.id, `links/${encodeURIComponent(r.incidentId)}`), { method: 'DELETE' });
    flash(`Link to ${r.incidentId} removed.`, { focus: true });
    await refresh();
  } catch (err) {
    button.disabled = false;
    flash(err.status === 403 ? 'Your role may not do this.' : `The link was not removed: ${err.message}`, { focus: true });
  }
}

/** A <select> with a label and its error line. */
function selectField(id, text, values, { first, selected, hint, describe = label } = {}) {
  const select = el('select', { id, name: id, 'aria-describedby': `${id}-error${hint ? ` ${id}-hint` : ''}` });
  options(select, values, { first: first ? [first] : [], text: describe });
  if (selected !== undefined) select.value = selected;
  for (const o of select.options) o.defaultSelected = o.value === select.value; // what "unchanged" means for formsBusy
  return el('div', { class: 'field' }, el('label', { for: id, text }), select,
    hint ? el('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null, el('p', { class: 'field-error', id: `${id}-error` }));
}

/** Links as the report form takes them: one per line, an address and optionally a text. */
const linksText = (links) => (links ?? []).map((l) => (l.text ? `${l.href} ${l.text}` : l.href)).join('\n');
function parseLinks(value) {
  return value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [href, ...text] = l.split(/\s+/);
    return text.length ? { href, text: text.join(' ') } : { href };
  });
}
function linksProblem(links) {
  if (links.length > rules.maxEditLinks) return `At most ${count(rules.maxEditLinks)} links.`;
  for (const [i, l] of links.entries()) {
    let ok = false;
    try { ok = /^https?:$/.test(new URL(l.href).protocol) && l.href.length <= rules.maxHref; } catch { ok = false; }
    if (!ok) return `Line ${i + 1}: not an http(s) address.`;
    if (l.text && tooLong('linkText', l.text)) return `Line ${i + 1}: the text is over ${count(maxOf('linkText'))} characters.`;
    if (l.text && (!isVisible('linkText', l.text) || refuses('linkText', l.text))) return `Line ${i + 1}: the text must be one line of visible characters.`;
  }
  return null;
}

function statusUpdateForm(incident, { refresh }) {
  const { min, max } = rules.nextUpdateMinutes;
  const minutes = el('div', { class: 'field' },
    el('label', { for: 'update-next', text: 'Next update in (minutes)' }),
    el('input', { id: 'update-next', name: 'update-next', type: 'number', inputmode: 'numeric', min, max, step: 1, 'aria-describedby': 'update-next-hint update-next-error' }),
    el('p', { class: 'hint', id: 'update-next-hint', text: `Optional: ${min} to ${count(max)}. If no update follows by then, a reminder is sent.` }),
    el('p', { class: 'field-error', id: 'update-next-error' }));
  return actionForm('act-update', 'Post a status update', [
    textField('update-summary', 'Summary', { multiline: true, required: true, hint: `One structured line for every participant. At most ${count(maxOf('summary'))} characters.` }),
    selectField('update-phase', 'Phase', rules.phases, { first: ['', 'Not stated'] }),
    minutes,
  ], 'Post update', async (form) => {
    const summary = $('#update-summary', form).value;
    if (!checkText(form, 'update-summary', 'summary', summary, 'Write the update.')) return false;
    const phase = $('#update-phase', form).value;
    const next = $('#update-next', form).value.trim();
    const n = Number(next);
    if (next && !(Number.isInteger(n) && n >= min && n <= max)) return fieldProblem(form, 'update-next', `A whole number of minutes from ${min} to ${count(max)}, or leave it empty.`);
    const event = await api(path(incident.id, 'updates'), { method: 'POST', body: { summary, ...(phase ? { phase } : {}), ...(next ? { nextUpdateInMinutes: n } : {}) } });
    const due = event?.data?.nextUpdateDueAt;
    return ['Update posted. The participants are being notified.', ...(due ? [' Next update due ', when(due), '.'] : [])];
  }, { draft: `update:${incident.id}`, refresh });
}

async function loadDirectory() {
  state.directory ??= (await api('v1/directory')).items;
  return state.directory;
}

function inviteForm(incident, { refresh }) {
  const list = el('div', { id: 'invite-orgs-list', class: 'checks' }, el('p', { class: 'note', text: 'Loading the directory…' }));
  const fieldset = el('fieldset', { class: 'field', id: 'invite-orgs', 'aria-describedby': 'invite-orgs-hint invite-orgs-error' },
    el('legend', { text: 'Organizations *' }),
    el('p', { class: 'hint', id: 'invite-orgs-hint', text: `From the directory; those already taking part are not listed. At most ${count(rules.maxInvite)} at once. They are notified as on a report.` }),
    list, el('p', { class: 'field-error', id: 'invite-orgs-error' }));
  loadDirectory().then((orgs) => {
    const candidates = orgs.filter((o) => !incident.participants.includes(o.id));
    // Organizations name themselves: each name is isolated from the words around it.
    list.replaceChildren(...(candidates.length ? candidates.map((o) => el('div', { class: 'check' },
      el('input', { type: 'checkbox', name: 'invite-orgs', id: `invite-${o.id}`, value: o.id }),
      el('label', { for: `invite-${o.id}` }, el('span', {}, bdi(o.name), ` (${ORG(o.id)})`))))
      : [el('p', { class: 'note', text: 'Every organization in the directory already takes part.' })]));
  }, (err) => { list.replaceChildren(el('p', { class: 'error', text: `Could not load the directory: ${err.message}` })); });
  return actionForm('act-invite', 'Bring organizations in', [fieldset, textField('invite-note', 'Note to them', { multiline: true, hint: `Optional: why they are brought in. At most ${count(maxOf('inviteNote'))} characters.` })], 'Invite', async (form) => {
    const orgIds = $$('input[name=invite-orgs]:checked', form).map((c) => c.value);
    if (!orgIds.length) {
      $('#invite-orgs-error', form).textContent = 'Choose at least one organization.';
      $('#invite-orgs', form).setAttribute('aria-invalid', 'true');
      ($('input', $('#invite-orgs', form)) ?? $('#invite-orgs', form)).focus();
      return false;
    }
    if (orgIds.length > rules.maxInvite) return fieldProblem(form, 'invite-orgs', `At most ${count(rules.maxInvite)} at once.`);
    const note = $('#invite-note', form).value;
    if (note.trim() && !checkText(form, 'invite-note', 'inviteNote', note, 'Write the note, or leave it empty.')) return false;
    const done = await api(path(incident.id, 'participants'), { method: 'POST', body: { orgIds, ...(note.trim() ? { note } : {}) } });
    const added = orgIds.filter((o) => done.participants.includes(o) && !incident.participants.includes(o));
    return added.length ? `Brought in ${added.map(ORG).join(', ')}. They are being notified.` : 'They already take part: nothing changed.';
  }, { draft: `invite:${incident.id}`, refresh });
}

function editForm(incident, { refresh, myOrg }) {
  const reporter = myOrg && myOrg === incident.reporter.orgId;
  const title = el('input', { id: 'edit-title', name: 'edit-title', value: incident.title, maxlength: maxOf('editTitle'), dir: 'auto', required: true, 'aria-describedby': 'edit-title-error' });
  const description = el('textarea', { id: 'edit-description', name: 'edit-description', rows: 4, dir: 'auto', 'aria-describedby': 'edit-description-hint edit-description-error', text: incident.description ?? '' });
  const links = el('textarea', { id: 'edit-links', name: 'edit-links', rows: 3, dir: 'auto', 'aria-describedby': 'edit-links-hint edit-links-error', text: linksText(incident.links) });
  const fields = [
    el('p', { class: 'note', id: 'edit-version' }, `You are editing version ${incident.version}. If someone changes the incident before you save, nothing is saved and you are told.`),
    el('div', { class: 'field' }, el('label', { for: 'edit-title', text: 'Title *' }), title, el('p', { class: 'field-error', id: 'edit-title-error' })),
    el('div', { class: 'field' }, el('label', { for: 'edit-description', text: 'Description' }), description,
      el('p', { class: 'hint', id: 'edit-description-hint', text: `At most ${count(maxOf('editDescription'))} characters; empty removes it.` }), el('p', { class: 'field-error', id: 'edit-description-error' })),
    el('div', { class: 'row' },
      selectField('edit-severity', 'Severity', rules.severities, { selected: incident.severity, hint: 'A change re-plans escalation.' }),
      selectField('edit-category', 'Category', rules.categories, { selected: incident.category })),
    el('div', { class: 'field' }, el('label', { for: 'edit-links', text: 'Links' }), links,
      el('p', { class: 'hint', id: 'edit-links-hint', text: `One per line: an http(s) address, optionally followed by a space and a short text. At most ${count(rules.maxEditLinks)}; empty removes them.` }), el('p', { class: 'field-error', id: 'edit-links-error' })),
    // Only the reporter's organization may change the label (the source decides who receives it).
    reporter ? selectField('edit-tlp', 'Sharing (TLP 2.0)', rules.tlps, { selected: incident.tlp, describe: (t) => `TLP:${t} — ${TLP_MEANING[t]}`,
      hint: 'Yours to change as the reporter\'s organization. A narrower label hides the incident from those it no longer allows; a wider one shows it to them.' }) : null,
  ];
  const form = actionForm('act-edit', 'Edit the incident', fields, 'Save changes', async (f) => {
    const patch = {};
    const t = $('#edit-title', f).value.trim();
    if (!isVisible('editTitle', t)) return fieldProblem(f, 'edit-title', 'Give the incident a title.');
    if (tooLong('editTitle', t)) return fieldProblem(f, 'edit-title', `At most ${count(maxOf('editTitle'))} characters.`);
    if (refuses('editTitle', t)) return fieldProblem(f, 'edit-title', 'One line, no control characters.');
    if (t !== incident.title) patch.title = t;
    const d = $('#edit-description', f).value;
    if (d.trim()) {
      if (tooLong('editDescription', d)) return fieldProblem(f, 'edit-description', `At most ${count(maxOf('editDescription'))} characters (now ${count(d.length)}).`);
      if (!isVisible('editDescription', d)) return fieldProblem(f, 'edit-description', 'Write something, or leave it empty.');
      if (refuses('editDescription', d)) return fieldProblem(f, 'edit-description', 'No control characters other than line breaks and tabs.');
      if (d !== (incident.description ?? '')) patch.description = d;
    } else if (incident.description) patch.description = null;
    for (const name of ['severity', 'category', 'tlp']) {
      const select = $(`#edit-${name}`, f);
      if (select && select.value !== incident[name]) patch[name] = select.value;
    }
    const parsed = parseLinks($('#edit-links', f).value);
    const problem = linksProblem(parsed);
    if (problem) return fieldProblem(f, 'edit-links', problem);
    if (JSON.stringify(parsed) !== JSON.stringify(incident.links ?? [])) patch.links = parsed.length ? parsed : null;
    if (!Object.keys(patch).length) {
      $('#act-edit-error').textContent = 'Nothing to save: change a field first.';
      return false;
    }
    const done = await api(path(incident.id), { method: 'PATCH', body: patch, headers: { 'if-match': `"${incident.version}"` } });
    return `Saved: ${Object.keys(patch).map((f) => (f === 'tlp' ? 'TLP' : f)).join(', ')} changed (now version ${done.version}).`;
  }, { refresh });
  form.dataset.version = String(incident.version);
  return el('details', { id: 'edit-details', class: 'action-details' }, el('summary', { text: 'Edit the incident' }), form);
}

function linkForm(incident, { refresh }) {
  const open = incident.status !== 'resolved';
  // Marking it a duplicate resolves it: only an open incident can be one.
  const relations = open ? rules.relations : rules.relations.filter((r) => r !== 'duplicate');
  return actionForm('act-link', 'Link to another incident', [
    el('div', { class: 'field' }, el('label', { for: 'link-id', text: 'Incident id *' }),
      el('input', { id: 'link-id', name: 'link-id', required: true, maxlength: rules.maxIncidentId, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'link-id-hint link-id-error' }),
      el('p', { class: 'hint', id: 'link-id-hint', text: 'As its page shows it, such as inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF. You must be able to see it.' }),
      el('p', { class: 'field-error', id: 'link-id-error' })),
    selectField('link-relation', 'This incident is', relations, { describe: (r) => `${relationText(r)} it${r === 'duplicate' ? ' (this one is resolved as its duplicate)' : ''}` }),
  ], 'Link', async (form) => {
    const incidentId = $('#link-id', form).value.trim();
    if (!incidentId) return fieldProblem(form, 'link-id', 'Enter the other incident\'s id.');
    if (incidentId.length > rules.maxIncidentId) return fieldProblem(form, 'link-id', `At most ${rules.maxIncidentId} characters.`);
    if (incidentId === incident.id) return fieldProblem(form, 'link-id', 'That is this incident.');
    const relation = $('#link-relation', form).value;
    try {
      await api(path(incident.id, 'links'), { method: 'POST', body: { incidentId, relation } });
    } catch (err) {
      // The other incident, missing or not visible: a 404 about it, not about this page.
      if (err.status === 404) return fieldProblem(form, 'link-id', 'No such incident, or your organization may not see it.');
      if (err.status === 400 && err.body?.errors?.length) return fieldProblem(form, 'link-id', err.body.errors.map((x) => x.message).join('; '));
      throw err;
    }
    return `Linked: this incident is ${relationText(relation)} ${incidentId}.`;
  }, { draft: `link:${incident.id}`, refresh });
}

function reopenForm(incident, { refresh }) {
  const days = rules.reopenDays;
  if (days !== null && incident.resolvedAt && Date.now() - Date.parse(incident.resolvedAt) > days * 86400000) {
    return el('p', { class: 'note', id: 'reopen-closed', text: `Resolved more than ${days} days ago: it can no longer be reopened. Report a new incident and link this one.` });
  }
  return actionForm('act-reopen', 'Reopen', [
    textField('reopen-reason', 'Reason', { multiline: true, required: true, hint: `${days !== null ? `Within ${days} days of its resolve. ` : ''}It goes back to the status it had. At most ${count(maxOf('reason'))} characters.` }),
  ], 'Reopen', async (form) => {
    const reason = $('#reopen-reason', form).value;
    if (!checkText(form, 'reopen-reason', 'reason', reason, 'Say why it is reopened.')) return false;
    let done;
    try {
      done = await api(path(incident.id, 'reopen'), { method: 'POST', body: { reason } });
    } catch (err) {
      // Still resolved, yet refused: past the window (the API's words say so).
      if (err.status === 409 && err.body?.currentStatus === 'resolved') {
        $('#act-reopen-error', form).textContent = `Not reopened: ${err.message}`;
        return false;
      }
      throw err;
    }
    return `Reopened (it is ${done.status} again). The participants are being notified.`;
  }, { draft: `reopen:${incident.id}`, refresh });
}

/** An organization not taking part in a GREEN/CLEAR incident may add itself. */
export function joinAction(incident, myOrg, { refresh }) {
  return actionForm('act-join', 'Take part', [el('p', { class: 'note', text: `TLP:${incident.tlp} is shared with the community: your organization (${ORG(myOrg)}) may join it, and then act on it.` })], 'Join this incident', async () => {
    await api(path(incident.id, 'participants'), { method: 'POST', body: { orgIds: [myOrg] } });
    return `${ORG(myOrg)} takes part now.`;
  }, { refresh });
}

/** The coordination actions for a participant (or an API key, whose organization the app does not know: the API decides). */
export function coordinationActions(incident, { refresh, myOrg }) {
  const open = incident.status !== 'resolved';
  const forms = [];
  if (open) forms.push(statusUpdateForm(incident, { refresh }));
  if (open) {
    const mayInvite = !myOrg || myOrg === incident.reporter.orgId || incident.tlp === 'GREEN' || incident.tlp === 'CLEAR';
    forms.push(mayInvite ? inviteForm(incident, { refresh })
      : el('p', { class: 'note', id: 'invite-reporter-only', text: `Only the reporter's organization (${ORG(incident.reporter.orgId)}) may bring others into a TLP:${incident.tlp} incident: the source decides who else receives it.` }));
  }
  forms.push(editForm(incident, { refresh, myOrg }));
  forms.push(linkForm(incident, { refresh }));
  if (!open) forms.push(reopenForm(incident, { refresh }));
  return forms;
}
