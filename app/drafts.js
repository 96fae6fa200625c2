// Drafts: what people type survives a re-sign-in (kept in this tab's sessionStorage until sent).

import { store, S_DRAFT } from './state.js';

/** Restores `form`'s draft `name` and keeps it as they type; returns what forgets it. */
export function bindDraft(form, name) {
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
