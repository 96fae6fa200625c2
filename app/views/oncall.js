// On call for the signed-in person's organization: each level of its escalation policy and who is
// on call now at each (GET …/escalation, GET …/schedules/{id}/oncall), the next 14 days of shifts
// of each schedule (GET …/shifts) with "Take this shift" (POST …/overrides: an override for
// oneself, the contact of the person's organization with their email), and each schedule's
// calendar link to copy. Schedules, names and contact ids are the organization's own writing:
// isolated like every outside text.

import { api } from '../api.js';
import { $, ORG, bdi, el, flash, keepingFocus, when } from '../dom.js';
import { orgOf, state } from '../state.js';
import { show } from './shell.js';

const DAY = 86400000;
/** How far ahead the shifts are shown. */
const AHEAD_DAYS = 14;

const orgPath = (orgId) => `v1/organizations/${encodeURIComponent(orgId)}`;
const schedulePath = (orgId, id) => `${orgPath(orgId)}/schedules/${encodeURIComponent(id)}`;

/** Who is on call, as a phrase: the contact (isolated) and until when. */
function onCallNow(now) {
  if (!now) return ['unknown'];
  if (!now.contacts.length) return ['nobody'];
  return [bdi(now.contacts[0], { class: 'oncall-contact' }), ...(now.until ? [' until ', when(now.until)] : [])];
}

async function copyLink(input) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // Without the clipboard permission: the selected text, copied the older way.
    input.select();
    if (!document.execCommand('copy')) { flash('Select the link and copy it yourself: the browser did not let the page copy it.', { focus: true }); return; }
  }
  flash('Calendar link copied. Add it to your calendar app as a subscription (by URL).', { focus: true });
}

async function take(orgId, schedule, shift, button) {
  button.disabled = true;
  try {
    const answer = await api(`${schedulePath(orgId, schedule.id)}/overrides`, { method: 'POST', body: { from: shift.from, to: shift.to } });
    const mine = answer.overrides[answer.overrides.length - 1];
    flash(['You take the shift of ', bdi(schedule.name), ' from ', when(mine.from), ' to ', when(mine.to), ' as ', bdi(mine.contact), '.'], { focus: true });
    await renderOnCall({ quiet: true });
  } catch (err) {
    button.disabled = false;
    if (err.status === 403 || err.status === 400) flash(`Not taken: ${err.message}`, { focus: true });
    else throw err;
  }
}

function levelsList(policy, schedules, nowBySchedule) {
  if (!policy) return el('p', { class: 'note', id: 'oncall-no-policy', text: 'No escalation policy: every contact of the organization is paged.' });
  const byId = new Map(schedules.map((s) => [s.id, s]));
  return el('ol', { id: 'oncall-levels', class: 'card' }, policy.levels.map((level, i) => el('li', { 'data-level': i + 1 },
    el('strong', { text: `Level ${i + 1}` }), i === 0 ? ' (at once): ' : ` (${level.afterMinutes} minutes after level ${i}): `,
    el('ul', {}, level.targets.map((t) => (t.schedule
      ? el('li', {}, 'schedule ', bdi(byId.get(t.schedule)?.name ?? t.schedule), ', on call now: ', ...onCallNow(nowBySchedule.get(t.schedule)))
      : el('li', {}, 'contact ', bdi(t.contact, { class: 'oncall-contact' }))))))),
  policy.repeat ? el('p', { class: 'note', text: `Then again from level 1, ${policy.repeat} more time${policy.repeat === 1 ? '' : 's'}, before the managers are told.` }) : null);
}

function scheduleCard(orgId, schedule, now, shifts) {
  const captionId = `shifts-${schedule.id}`;
  const link = el('input', { id: `calendar-${schedule.id}`, readonly: true, value: schedule.calendarUrl, class: 'wide-input', spellcheck: 'false' });
  const rows = shifts.map((shift) => {
    const taking = el('button', { type: 'button', class: 'secondary' }, 'Take this shift',
      el('span', { class: 'visually-hidden' }, ` (${shift.contact}, ${new Date(shift.from).toLocaleString()} to ${new Date(shift.to).toLocaleString()})`));
    taking.addEventListener('click', () => take(orgId, schedule, shift, taking).catch((err) => flash(`Something went wrong: ${err.message}`)));
    return el('tr', { 'data-id': `${schedule.id}|${shift.from}` },
      el('td', {}, bdi(shift.contact, { class: 'oncall-contact' })), el('td', {}, when(shift.from)), el('td', {}, when(shift.to)), el('td', {}, taking));
  });
  return el('article', { class: 'card oncall-schedule', 'data-schedule': schedule.id, 'aria-labelledby': `schedule-${schedule.id}` },
    el('h3', { id: `schedule-${schedule.id}` }, bdi(schedule.name)),
    el('p', { class: 'oncall-now' }, 'On call now: ', ...onCallNow(now)),
    el('p', {}, el('label', { for: link.id, text: 'Calendar link (subscribe in your calendar app; anyone with it sees the shifts)' }), el('br'), link, ' ',
      el('button', { type: 'button', class: 'secondary', onclick: () => copyLink(link) }, 'Copy calendar link')),
    shifts.length
      ? el('table', { class: 'shifts', 'aria-describedby': captionId },
        el('caption', { id: captionId, text: `Shifts of the next ${AHEAD_DAYS} days` }),
        el('thead', {}, el('tr', {}, ['Who', 'From', 'To', 'Action'].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, rows))
      : el('p', { class: 'note', text: `Nobody is on call in the next ${AHEAD_DAYS} days.` }));
}

export async function renderOnCall({ quiet = false } = {}) {
  show('view-oncall');
  document.title = 'On call · Concord';
  const orgId = state.session?.kind === 'oidc' ? orgOf(state.session.claims) : null;
  const body = $('#oncall-body');
  if (!orgId) {
    $('#oncall-org').textContent = '';
    body.replaceChildren(el('p', { class: 'note', text: 'On call shows the organization of a person signed in through its identity provider.' }));
    return;
  }
  $('#oncall-org').textContent = ORG(orgId);
  if (!quiet) body.replaceChildren(el('p', { class: 'note', text: 'Loading…' }));
  const [schedules, policy] = await Promise.all([
    api(`${orgPath(orgId)}/schedules`).then((r) => r.items),
    api(`${orgPath(orgId)}/escalation`).catch((err) => { if (err.status === 404) return null; throw err; }),
  ]);
  const from = new Date();
  const to = new Date(from.getTime() + AHEAD_DAYS * DAY);
  const details = await Promise.all(schedules.map(async (s) => {
    const [now, shifts] = await Promise.all([
      api(`${schedulePath(orgId, s.id)}/oncall`),
      api(`${schedulePath(orgId, s.id)}/shifts?from=${from.toISOString()}&to=${to.toISOString()}`).then((r) => r.items),
    ]);
    return { schedule: s, now, shifts };
  }));
  const nowBySchedule = new Map(details.map((d) => [d.schedule.id, d.now]));
  keepingFocus(body, () => body.replaceChildren(
    el('section', { 'aria-labelledby': 'oncall-levels-heading' }, el('h2', { id: 'oncall-levels-heading', text: 'Escalation levels' }), levelsList(policy, schedules, nowBySchedule)),
    el('section', { 'aria-labelledby': 'oncall-schedules-heading' }, el('h2', { id: 'oncall-schedules-heading', text: 'Schedules' }),
      details.length ? details.map((d) => scheduleCard(orgId, d.schedule, d.now, d.shifts)) : el('p', { class: 'note', text: 'The organization has no on-call schedule.' })),
  ));
}
