// Small DOM helpers, the TLP and severity labels, the page's live region, and the isolation of
// outside text: whatever people or partners wrote (titles, names, notes) is set apart from the
// page's own words, so a direction control (U+202E…) inside it cannot reorder them.

export const $ = (s, root = document) => root.querySelector(s);
export const $$ = (s, root = document) => [...root.querySelectorAll(s)];

export const el = (tag, attrs = {}, ...children) => {
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

/** A name or title someone else wrote, inline: isolated (`<bdi>`) from the sentence around it. */
export const bdi = (text, attrs = {}) => el('bdi', { ...attrs, text });
/** Text someone else wrote, over lines: its own direction (`dir="auto"`), isolated from the page's. */
export const prose = (text, attrs = {}) => el('span', { ...attrs, dir: 'auto', text });
/** Outside text in plain text (the window's title): between first-strong and pop directional isolates. */
export const isolated = (text) => `\u2068${text}\u2069`;

export const when = (iso) => (iso ? el('time', { datetime: iso, text: new Date(iso).toLocaleString() }) : '—');
export const ORG = (id) => String(id || '').toUpperCase();

/** How the app names an enumeration's value: the API's own word, capitalized, except where English spells it otherwise. */
const LABELS = { ddos: 'DDoS' };
export const label = (value) => LABELS[value] ?? `${value[0].toUpperCase()}${value.slice(1).replace(/-/g, ' ')}`;
/** `<option>`s for the API's values, after the ones given first. */
export const options = (select, values, { first = [], text = label } = {}) => select.replaceChildren(
  ...first.map(([value, t]) => el('option', { value, text: t })), ...values.map((v) => el('option', { value: v, text: text(v) })));

/** FIRST TLP 2.0, one line each. */
export const TLP_MEANING = {
  RED: 'For the eyes and ears of individual recipients only, no further disclosure.',
  'AMBER+STRICT': 'Limited disclosure, restricted to the participants\' organizations only.',
  AMBER: 'Limited disclosure: recipients share on a need-to-know basis within their organization and its clients.',
  GREEN: 'Limited disclosure: recipients may share within their community, not publicly.',
  CLEAR: 'No limit on disclosure: recipients may share it with the world.',
};
export const SHARING_RULE = {
  RED: 'TLP:RED — for the participants\' named recipients only. Do not share it any further: not within your organization, not by forwarding. Every view is recorded.',
  'AMBER+STRICT': 'TLP:AMBER+STRICT — for the participants\' own organizations only, on a need-to-know basis; not their clients. Every view is recorded.',
};
export const isRestricted = (tlp) => Object.hasOwn(SHARING_RULE, tlp);

export const tlpClass = (tlp) => `tlp tlp-${tlp.replace('+', '-')}`;
/** A TLP label in FIRST's colours; `focusable` unless it sits in a form label, whose hint already says what it means. */
export function tlpBadge(tlp, focusable = true) {
  const id = `tlp-desc-${tlp.replace('+', '-')}`;
  if (!document.getElementById(id)) document.body.append(el('span', { id, class: 'visually-hidden', text: TLP_MEANING[tlp] }));
  // The meaning shows on hover and on focus (style.css, from data-meaning); screen readers get it as the description.
  return el('span', { class: tlpClass(tlp), 'data-meaning': `TLP:${tlp}: ${TLP_MEANING[tlp]}`, ...(focusable ? { tabindex: 0 } : {}), 'aria-describedby': id, text: `TLP:${tlp}` });
}
export const sevBadge = (severity) => el('span', { class: `sev ${severity}`, text: severity });

let keepFlash = false;
/** The page's confirmations and errors, in one live region (text, or nodes); `keep` survives the next route change. */
export function flash(message, { keep = false, focus = false } = {}) {
  $('#flash').replaceChildren(...[message].flat().filter((m) => m !== '' && m !== null && m !== undefined));
  keepFlash = keep;
  if (focus && $('#flash').textContent) $('#flash').focus();
}
/** The route changed: the last confirmation goes, unless it was to be kept for this route. */
export function routeChanged() {
  if (!keepFlash) flash('');
  keepFlash = false;
}

/**
 * Replaces what `rebuild` redraws inside `root` without taking the focus away: a focused element
 * inside is found again by its id, or by its row's `data-id` and its place in that row.
 */
export function keepingFocus(root, rebuild) {
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
