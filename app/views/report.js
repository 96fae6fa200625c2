// The report form: the API's choices and limits (rules.js), its own checks before sending, the
// API's field errors beside their fields, and a draft kept until it is sent.

import { api } from '../api.js';
import { $, $$, ORG, TLP_MEANING, bdi, el, flash, options, tlpBadge } from '../dom.js';
import { bindDraft } from '../drafts.js';
import { count, isVisible, maxOf, refuses, rules, tooLong } from '../rules.js';
import { orgOf, state } from '../state.js';
import { show } from './shell.js';

let ready = false;
let clearDraft = () => {};

/** The form's choices and limits, from the API's own description. */
export function initReport() {
  options($('#r-severity'), rules.severities, { first: [['', 'Choose…']] });
  options($('#r-category'), rules.categories, { first: [['', 'Choose…']] });
  $('#r-title').maxLength = maxOf('title');
  $('#r-description-hint').textContent = `At most ${count(maxOf('description'))} characters.`;
  $('#r-links-hint').textContent = `One per line: an http(s) address, optionally followed by a space and a short text. At most ${count(rules.maxLinks)}.`;
  $('#report-form').addEventListener('submit', submit);
}

export async function renderReport() {
  show('view-report');
  document.title = 'Report an incident · Concord';
  const form = $('#report-form');
  if (ready) return;
  $('#r-tlp').append(...rules.tlps.map((t) => {
    const id = `r-tlp-${t.replace('+', '-')}`;
    return el('div', { class: 'check' },
      el('input', { type: 'radio', name: 'tlp', id, value: t, checked: t === 'AMBER', 'aria-describedby': `${id}-meaning` }),
      el('label', { for: id }, tlpBadge(t, false)),
      el('p', { class: 'hint', id: `${id}-meaning`, text: TLP_MEANING[t] }));
  }));
  $('#r-tlp').append($('#r-tlp-error'));
  try {
    state.directory ??= (await api('v1/directory')).items;
  } catch (err) {
    state.directory = [];
    $('#r-participants-error').textContent = `Could not load the directory: ${err.message}`;
  }
  const mine = orgOf(state.session.claims);
  // Organizations name themselves: each name is isolated from the words around it.
  $('#r-participants-list').replaceChildren(...state.directory.map((o) => el('div', { class: 'check' },
    el('input', { type: 'checkbox', name: 'participants', id: `r-p-${o.id}`, value: o.id, checked: o.id === mine, disabled: o.id === mine }),
    // One child: the label is a flex box, which would lay the name and the rest out as columns.
    el('label', { for: `r-p-${o.id}` }, el('span', {}, bdi(o.name), ` (${ORG(o.id)})${o.id === mine ? ' — yours, always' : ''}`)))));
  clearDraft = bindDraft(form, 'report');
  ready = true;
}

function reportErrors(data) {
  const errors = [];
  const most = (field) => `At most ${count(maxOf(field))} characters.`;
  if (!isVisible('title', data.title)) errors.push({ path: 'title', message: 'Give the incident a title.' });
  else if (tooLong('title', data.title)) errors.push({ path: 'title', message: most('title') });
  else if (refuses('title', data.title)) errors.push({ path: 'title', message: 'One line, no control characters.' });
  if (data.description && tooLong('description', data.description)) errors.push({ path: 'description', message: `At most ${count(maxOf('description'))} characters (now ${data.description.length}).` });
  if (data.description && !isVisible('description', data.description)) errors.push({ path: 'description', message: 'Write something, or leave it empty.' });
  else if (data.description && refuses('description', data.description)) errors.push({ path: 'description', message: 'No control characters other than line breaks and tabs.' });
  if (!rules.severities.includes(data.severity)) errors.push({ path: 'severity', message: 'Choose a severity.' });
  if (!rules.categories.includes(data.category)) errors.push({ path: 'category', message: 'Choose a category.' });
  if (!rules.tlps.includes(data.tlp)) errors.push({ path: 'tlp', message: 'Choose how it may be shared.' });
  if (data.participants.length > rules.maxParticipants) errors.push({ path: 'participants', message: `At most ${count(rules.maxParticipants)} organizations.` });
  if (data.links.length > rules.maxLinks) errors.push({ path: 'links', message: `At most ${count(rules.maxLinks)} links.` });
  data.links.forEach((l, i) => {
    let ok = false;
    try { ok = /^https?:$/.test(new URL(l.href).protocol) && l.href.length <= rules.maxHref; } catch { ok = false; }
    if (!ok) errors.push({ path: 'links', message: `Line ${i + 1}: not an http(s) address.` });
    else if (l.text && tooLong('linkText', l.text)) errors.push({ path: 'links', message: `Line ${i + 1}: the text is over ${count(maxOf('linkText'))} characters.` });
    else if (l.text && (!isVisible('linkText', l.text) || refuses('linkText', l.text))) errors.push({ path: 'links', message: `Line ${i + 1}: the text must be one line of visible characters.` });
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

async function submit(e) {
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
    clearDraft();
    form.reset();
    flash(['Reported “', bdi(incident.title), '”. The participants are being notified.'], { keep: true });
    location.hash = `#/incidents/${encodeURIComponent(incident.id)}`;
  } catch (err) {
    if (err.body?.errors?.length) showFieldErrors(err.body.errors);
    else $('#report-error').textContent = err.status === 403 ? 'Your role may not report incidents (partners\' people and systems report).' : `Not reported: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}
