// Observables on an incident's page (the canonical form the API stored, a form for participants to
// add one), the incidents that share observables with it (GET …/related: only those the person may
// see), and the lookup box of the incident list ("have we seen this before?", GET /v1/observables).
// Values come from partners: shown as text, isolated in <bdi>, never as links.

import { api } from '../api.js';
import { $, ORG, bdi, el, flash, sevBadge, tlpBadge, when } from '../dom.js';

const TYPES = ['domain-name', 'url', 'ipv4-addr', 'ipv6-addr', 'email-addr', 'user-account', 'file', 'phone-number'];
const path = (id, a) => `v1/incidents/${encodeURIComponent(id)}/${a}`;

/** One observable as text: its type, its canonical value, its platform. */
export const observableText = (o) => [el('code', { class: 'obs-type', text: o.type }), ' ', bdi(o.value, { class: 'obs-value' }), ...(o.platform ? [' on ', bdi(o.platform)] : [])];

function input(id, text, attrs = {}) {
  return el('div', { class: 'field' }, el('label', { for: id, text }), el('input', { id, name: id, 'aria-describedby': `${id}-error`, ...attrs }), el('p', { class: 'field-error', id: `${id}-error` }));
}

/** The incident's observables, in the canonical form the API stored. */
export function renderObservables(incident) {
  const list = incident.observables ?? [];
  return el('section', { id: 'observables', 'aria-labelledby': 'observables-heading' },
    el('h2', { id: 'observables-heading', text: 'Observables' }),
    list.length
      ? el('ul', { id: 'observable-list', class: 'observables' }, list.map((o) => el('li', {}, ...observableText(o), ...(o.note ? [' — ', bdi(o.note)] : []))))
      : el('p', { id: 'observable-list', class: 'note', text: 'None yet.' }));
}

/** For participants, among the actions: a form that adds an observable and says its canonical form. */
export function observableForm(incident, { refresh }) {
  const type = el('select', { id: 'obs-type', name: 'obs-type' }, TYPES.map((t) => el('option', { value: t, text: t })));
  const form = el('form', { id: 'add-observable', class: 'action', 'aria-labelledby': 'add-observable-legend', novalidate: true },
    el('h3', { id: 'add-observable-legend', text: 'Add an observable' }),
    el('div', { class: 'field' }, el('label', { for: 'obs-type', text: 'Type' }), type),
    input('obs-value', 'Value', { required: true, maxlength: 2048, autocomplete: 'off' }),
    input('obs-platform', 'Platform (user accounts)', { maxlength: 64, autocomplete: 'off' }),
    el('p', { id: 'obs-result', class: 'note', role: 'status' }),
    el('button', { type: 'submit', class: 'primary', text: 'Add observable' }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
    const observable = { type: type.value, value: $('#obs-value').value.trim() };
    const platform = $('#obs-platform').value.trim();
    if (platform) observable.platform = platform;
    if (!observable.value) { $('#obs-value-error').textContent = 'Enter the value.'; $('#obs-value').focus(); return; }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const updated = await api(path(incident.id, 'observables'), { method: 'POST', body: { observables: [observable] } });
      const stored = (updated.observables ?? []).at(-1);
      flash(updated.version === incident.version ? 'Already on the incident: nothing changed.' : `Added as ${stored ? `${stored.type} ${stored.value}` : 'given'}.`, { focus: true });
      await refresh();
    } catch (err) {
      button.disabled = false;
      const errors = err.body?.errors ?? [];
      for (const x of errors) {
        const where = /\.platform$/.test(x.path) ? '#obs-platform-error' : '#obs-value-error';
        $(where).textContent = x.message;
      }
      if (!errors.length) flash(err.status === 403 ? 'Only participants add observables.' : `Not added: ${err.message}`, { focus: true });
      else $('#obs-value').focus();
    }
  });
  return form;
}

/** The incidents sharing observables with this one (and linked), as the API answers them for this person. */
export function renderMatches(items) {
  const matches = (items ?? []).filter((i) => i.shared?.length);
  return el('section', { id: 'shared-observables', 'aria-labelledby': 'shared-heading' },
    el('h2', { id: 'shared-heading', text: 'Incidents sharing observables' }),
    matches.length
      ? el('ul', { id: 'matches', class: 'related' }, matches.map((m) => el('li', { 'data-id': m.incident.id },
        tlpBadge(m.incident.tlp, false), ' ', sevBadge(m.incident.severity), ' ',
        el('a', { href: `#/incidents/${encodeURIComponent(m.incident.id)}` }, bdi(m.incident.title)),
        ` (${m.incident.participants.map(ORG).join(', ')}, reported `, when(m.incident.reportedAt), ') shares ',
        ...m.shared.flatMap((o, i) => [i ? ', ' : '', ...observableText(o)]))))
      : el('p', { id: 'matches', class: 'note', text: 'No incident you may see shares an observable with this one.' }));
}

/** The related view of an incident, for the page: empty when it cannot be read. */
export const relatedOf = (id) => api(`${path(id, 'related')}?limit=100`).then((r) => r.items, () => []);

/** The lookup box: "have we seen this before?" — the incidents the person may see that carry it. */
export function lookupBox() {
  const type = el('select', { id: 'lookup-type', name: 'lookup-type' }, TYPES.map((t) => el('option', { value: t, text: t })));
  const results = el('div', { id: 'lookup-results', role: 'status' });
  const form = el('form', { id: 'lookup', class: 'filters', role: 'search', 'aria-label': 'Have we seen this before?', novalidate: true },
    el('div', {}, el('label', { for: 'lookup-type', text: 'Observable' }), type),
    el('div', {}, el('label', { for: 'lookup-value', text: 'Value' }), el('input', { id: 'lookup-value', name: 'lookup-value', type: 'search', maxlength: 2048, autocomplete: 'off' })),
    el('div', {}, el('label', { for: 'lookup-platform', text: 'Platform' }), el('input', { id: 'lookup-platform', name: 'lookup-platform', maxlength: 64, autocomplete: 'off' })),
    el('div', {}, el('button', { type: 'submit', text: 'Have we seen this?' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = $('#lookup-value').value.trim();
    if (!value) { results.replaceChildren(el('p', { class: 'field-error', text: 'Enter a value to look up.' })); return; }
    const q = new URLSearchParams({ type: type.value, value, limit: '100' });
    const platform = $('#lookup-platform').value.trim();
    if (platform) q.set('platform', platform);
    try {
      const page = await api(`v1/observables?${q}`);
      results.replaceChildren(
        el('p', {}, 'Looked up as ', ...observableText(page.observable), `: ${page.items.length ? `${page.items.length} incident${page.items.length === 1 ? '' : 's'} you may see` : 'no incident you may see carries it'}.`),
        page.items.length ? el('ul', { id: 'lookup-list' }, page.items.map((i) => el('li', { 'data-id': i.id }, tlpBadge(i.tlp, false), ' ', el('a', { href: `#/incidents/${encodeURIComponent(i.id)}` }, bdi(i.title)), ` — ${i.status}, `, when(i.reportedAt)))) : null);
    } catch (err) {
      const why = err.body?.errors?.map((x) => `${x.path}: ${x.message}`).join('; ') || err.message;
      results.replaceChildren(el('p', { class: 'field-error', text: `Not looked up: ${why}` }));
    }
  });
  return el('section', { id: 'lookup-box', 'aria-labelledby': 'lookup-heading' }, el('h2', { id: 'lookup-heading', text: 'Have we seen this before?' }), form, results);
}
