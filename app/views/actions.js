// An incident's actions: acknowledge, assign, note, resolve — each a form with its own checks
// (the API's rules, from rules.js), its draft, and the API's answer in words — then the
// coordination actions (coordination.js): status update, invite, edit, link, reopen.

import { api } from '../api.js';
import { $, $$, ORG, bdi, el, flash } from '../dom.js';
import { bindDraft } from '../drafts.js';
import { count, isVisible, maxOf, refuses, tooLong } from '../rules.js';
import { state } from '../state.js';
import { show } from './shell.js';
import { coordinationActions, joinAction } from './coordination.js';

/** `refresh` redraws the incident (and so the forms) in its new state. */
export function actionForm(id, legend, fields, button, submit, { draft, refresh }) {
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
      await refresh(); // redraw the forms for the new state
    } catch (err) {
      if (err.status === 409) {
        const current = err.body?.currentStatus;
        error.textContent = `Not done: the incident is ${current || 'in another state'} now. The page shows its current state.`;
        flash(`That could not be done: the incident is already ${current || 'in another state'}. Showing its current state.`, { focus: true });
        await refresh();
        $('#actions-error').textContent = `Not done: the incident is already ${current || 'in another state'}.`;
      } else if (err.status === 412) {
        // If-Match named the version this form was filled from; someone changed the incident since.
        const now = err.body?.currentVersion;
        error.replaceChildren(`Not saved: someone changed this incident after you opened this form (you edited version ${form.dataset.version ?? '?'}${now ? `; it is at version ${now} now` : ''}). `
          + 'Reload it to see their change, then make yours again.', ' ',
        el('button', { type: 'button', class: 'secondary', text: 'Reload the incident', onclick: async () => {
          await refresh();
          $('#actions-heading')?.focus();
        } }));
      } else if (err.status === 400 && err.body?.errors?.length) {
        error.textContent = `Not sent: ${err.body.errors.map((x) => `${x.path}: ${x.message}`).join('; ')}`;
      } else if (err.status === 404) {
        state.shown = { id: state.shown.id, missing: true };
        show('view-not-found');
      } else {
        // A 403 says why (a manager's role; or, on a coordination action, a rule such as "only the reporter's organization may change the TLP").
        error.textContent = err.status === 403 ? `Not done: ${err.body?.detail || 'your role may not do this (managers read; partners\' people act).'}` : `Not done: ${err.message}`;
      }
    } finally {
      b.disabled = false;
    }
  });
  return form;
}

export const textField = (id, label, { multiline = false, required = false, hint } = {}) => el('div', { class: 'field' },
  el('label', { for: id, text: `${label}${required ? ' *' : ''}` }),
  el(multiline ? 'textarea' : 'input', { id, name: id, rows: multiline ? 3 : undefined, required, 'aria-describedby': `${id}-error${hint ? ` ${id}-hint` : ''}` }),
  hint ? el('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  el('p', { class: 'field-error', id: `${id}-error` }));

export function fieldProblem(form, id, message) {
  const input = $(`#${id}`, form);
  $(`#${id}-error`, form).textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  return false;
}

/** Text over lines (a note, a resolution) as the API takes it, or the field's problem. */
export function checkText(form, id, field, value, missing) {
  if (!isVisible(field, value)) return fieldProblem(form, id, missing);
  if (tooLong(field, value)) return fieldProblem(form, id, `At most ${count(maxOf(field))} characters.`);
  if (refuses(field, value)) return fieldProblem(form, id, 'No control characters other than line breaks and tabs.');
  return true;
}

/** `myOrg`: the person's organization (unknown with an API key: then every action shows, and the API decides). */
export function renderActions(incident, myAck, { refresh, myOrg }) {
  const wrap = el('section', { id: 'actions', 'aria-labelledby': 'actions-heading' }, el('h2', { id: 'actions-heading', text: 'Actions', tabindex: -1 }), el('p', { id: 'actions-error', class: 'error', role: 'alert' }));
  if (state.isManager) {
    wrap.append(el('p', { class: 'note', text: 'Managers follow incidents; the participants\' people act on them.' }));
    return wrap;
  }
  // A GREEN or CLEAR incident is the community's to read; only its participants act on it.
  if (myOrg && !incident.participants.includes(myOrg)) {
    wrap.append(el('p', { class: 'note', text: `Your organization does not take part in this TLP:${incident.tlp} incident: you may read it, and only its participants act on it.` }));
    if (incident.status !== 'resolved') wrap.append(joinAction(incident, myOrg, { refresh }));
    return wrap;
  }
  const open = incident.status !== 'resolved';
  const id = incident.id;
  const path = (a) => `v1/incidents/${encodeURIComponent(id)}/${a}`;
  if (open && !myAck) {
    wrap.append(actionForm('act-ack', 'Acknowledge', [el('p', { class: 'note', text: 'Tell the other participants your organization has seen it and is on it.' })], 'Acknowledge', async () => {
      const done = await api(path('acknowledge'), { method: 'POST', body: {} });
      return `Acknowledged. The other participants are being notified (status: ${done.status}).`;
    }, { refresh }));
  }
  if (open) {
    const select = el('select', { id: 'assign-org', name: 'assign-org', required: true, 'aria-describedby': 'assign-org-error' },
      el('option', { value: '', text: 'Choose…' }), incident.participants.map((o) => el('option', { value: o, text: ORG(o), selected: incident.assignee?.orgId === o })));
    wrap.append(actionForm('act-assign', incident.assignee ? 'Reassign' : 'Assign', [
      el('div', { class: 'field' }, el('label', { for: 'assign-org', text: 'Organization *' }), select, el('p', { class: 'field-error', id: 'assign-org-error' })),
      textField('assign-responder', 'Responder (a team or a person)', { hint: `At most ${count(maxOf('responder'))} characters.` }),
    ], 'Assign', async (form) => {
      const orgId = $('#assign-org', form).value;
      const responder = $('#assign-responder', form).value.trim();
      if (!orgId) return fieldProblem(form, 'assign-org', 'Choose the participating organization that takes it.');
      if (tooLong('responder', responder)) return fieldProblem(form, 'assign-responder', `At most ${count(maxOf('responder'))} characters.`);
      if (responder && (!isVisible('responder', responder) || refuses('responder', responder))) return fieldProblem(form, 'assign-responder', 'One line of visible characters, or leave it empty.');
      await api(path('assign'), { method: 'POST', body: { orgId, ...(responder ? { responder } : {}) } });
      return [`Assigned to ${ORG(orgId)}`, ...(responder ? [' (', bdi(responder), ')'] : []), '.'];
    }, { draft: `assign:${id}`, refresh }));
  }
  wrap.append(actionForm('act-note', 'Add a note', [textField('note-text', 'Note', { multiline: true, required: true, hint: `At most ${count(maxOf('note'))} characters. Every participant sees it.` })], 'Add note', async (form) => {
    const text = $('#note-text', form).value;
    if (!checkText(form, 'note-text', 'note', text, 'Write the note.')) return false;
    await api(path('notes'), { method: 'POST', body: { text } });
    return 'Note added.';
  }, { draft: `note:${id}`, refresh }));
  if (open) {
    wrap.append(actionForm('act-resolve', 'Resolve', [textField('resolution', 'Resolution', { multiline: true, required: true, hint: `What was done. At most ${count(maxOf('resolution'))} characters.` })], 'Resolve', async (form) => {
      const resolution = $('#resolution', form).value;
      if (!checkText(form, 'resolution', 'resolution', resolution, 'Say how it was resolved.')) return false;
      await api(path('resolve'), { method: 'POST', body: { resolution } });
      return 'Resolved. The participants are being notified.';
    }, { draft: `resolve:${id}`, refresh }));
  }
  wrap.append(...coordinationActions(incident, { refresh, myOrg }));
  return wrap;
}
