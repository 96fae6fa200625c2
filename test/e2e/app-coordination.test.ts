/// <reference lib="dom" />
/**
 * Coordination in the responders' app (#23), in a real browser (Debian's Chromium driven by
 * playwright-core) against `npm start`, with demo people signed in through the embedded provider:
 * bring organizations in from the directory, post a status update and see when the next is due,
 * edit with If-Match (and a clear 412 when someone else changed it first), link and unlink,
 * reopen, join a community incident — at phone size and on a desktop, with axe checking each page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startAppHost, type AppHost } from '../support/app-host';
import { noHorizontalScroll, bigEnoughTargets, axe } from '../support/app-checks';

const root = join(__dirname, '..', '..');
const SHOTS = join(root, '.tmp', 'app-screenshots');
const PASSWORDS: Record<string, string> = {
  'facebook.responder': 'demo-facebook-responder', 'twitter.responder': 'demo-twitter-responder', 'fbi.responder': 'demo-fbi-responder',
};
const NAMES: Record<string, string> = { 'facebook.responder': 'Jordan Lee', 'twitter.responder': 'Alex Moreno', 'fbi.responder': 'Dana Whitfield' };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let host: AppHost;
let url: string;
let browser: Browser;
const cspViolations: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  host = await startAppHost();
  ({ url, browser } = host);
}, 120_000);

afterAll(async () => { await host?.stop(); });

afterEach(() => {
  const seen = cspViolations.splice(0);
  expect(seen).toEqual([]);
});

// ---------- helpers ----------
const tokens = new Map<string, string>();
async function tokenFor(login: string): Promise<string> {
  if (!tokens.has(login)) {
    const res = await fetch(`${url}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login }) });
    tokens.set(login, ((await res.json()) as { access_token: string }).access_token);
  }
  return tokens.get(login)!;
}
async function call(login: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${await tokenFor(login)}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
interface Incident { id: string; title: string; version: number; participants: string[]; severity: string; tlp: string; status: string; lastUpdate: { summary: string; phase: string | null } | null; nextUpdateDueAt: string | null; related: Array<{ incidentId: string; relation: string }> }
async function reportAs(login: string, fields: Record<string, unknown>): Promise<Incident> {
  const res = await call(login, 'POST', '/v1/incidents', { severity: 'high', category: 'misinformation', ...fields });
  expect(res.status).toBe(201);
  return res.body as Incident;
}
const read = async (login: string, id: string) => (await call(login, 'GET', `/v1/incidents/${id}`)).body as Incident;

async function newPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  return { context, page };
}

/** Through the real sign-in form of the embedded provider, then to `hash`. */
async function signIn(page: Page, login: string, hash = '') {
  await page.goto(`${url}/app${hash}`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/local\/idp\/interaction\//);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(PASSWORDS[login]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/app' && !u.search);
  await page.waitForSelector(`#who:has-text("${NAMES[login]}")`);
}

async function openIncident(page: Page, login: string, incident: { id: string }) {
  await signIn(page, login, `#/incidents/${incident.id}`);
  if (!page.url().includes(`#/incidents/${incident.id}`)) await page.evaluate((id) => { location.hash = `#/incidents/${id}`; }, incident.id);
  await page.waitForSelector(`#incident-body [data-type=reported]`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

// ---------- the tests ----------
it('at phone size (390×844), a person brings an organization in from the directory and posts a status update: the participants list it, the last update and the next one\'s due time show', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Polling-place hoax spreading (phone)', participants: ['fbi'] });
  const { context, page } = await newPage(PHONE);
  try {
    await openIncident(page, 'facebook.responder', incident);
    // The directory's organizations, those already taking part left out; names isolated.
    await page.waitForSelector('#invite-orgs-list input[value=twitter]');
    expect(await page.locator('#invite-orgs-list input[value=facebook]').count()).toBe(0);
    expect(await page.locator('#invite-orgs-list input[value=fbi]').count()).toBe(0);
    expect(await page.locator('label[for=invite-twitter] bdi').textContent()).toBe('Twitter');
    await page.locator('label[for=invite-twitter]').click();
    await page.getByLabel('Note to them').fill('Same accounts seen on Twitter.');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.waitForSelector('#flash:has-text("Brought in TWITTER")');
    await page.waitForSelector('#participants li[data-org=twitter]');
    expect(await page.locator('#participants li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.org))).toEqual(['facebook', 'fbi', 'twitter']);
    expect(await page.locator('#timeline li[data-type=participants_added]').textContent()).toMatch(/FACEBOOK \(Jordan Lee\) brought in TWITTER\.\s*“Same accounts seen on Twitter\.”/);
    // Brought in: no longer offered.
    expect(await page.locator('#invite-orgs-list input[value=twitter]').count()).toBe(0);

    // A status update: summary, phase and the next one in 30 minutes.
    expect(await page.locator('#last-update').textContent()).toContain('No status update yet.');
    await page.getByLabel('Summary *').fill('Accounts identified; takedown requests sent.');
    await page.selectOption('#update-phase', 'identified');
    await page.getByLabel('Next update in (minutes)').fill('30');
    const before = Date.now();
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.waitForSelector('#flash:has-text("Update posted")');
    await page.waitForSelector('#last-update:has-text("Accounts identified; takedown requests sent.")');
    expect(await page.locator('#last-update .phase').textContent()).toBe('Identified');
    expect(await page.locator('#last-update .meta').textContent()).toContain('FACEBOOK (Jordan Lee)');
    const due = await page.locator('#next-update time').getAttribute('datetime');
    expect(await page.locator('#next-update').textContent()).toMatch(/^next update due .+\.$/);
    expect(await page.locator('#next-update.overdue').count()).toBe(0);
    expect(Date.parse(due!)).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
    expect(Date.parse(due!)).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1000);
    expect(await page.locator('#timeline li[data-type=status_update]').textContent()).toMatch(/FACEBOOK \(Jordan Lee\) posted an update \(identified\): “Accounts identified; takedown requests sent\.” Next update due/);
    await noHorizontalScroll(page);
    await bigEnoughTargets(page);
    await shot(page, 'coordination-phone');

    // The API's own record agrees, and the new participant sees the incident.
    const now = await read('facebook.responder', incident.id);
    expect(now.participants).toEqual(['facebook', 'fbi', 'twitter']);
    expect(now.lastUpdate).toMatchObject({ summary: 'Accounts identified; takedown requests sent.', phase: 'identified' });
    expect(now.nextUpdateDueAt).toBe(due);
    expect((await call('twitter.responder', 'GET', `/v1/incidents/${incident.id}`)).status).toBe(200);
  } finally {
    await context.close();
  }
}, 90_000);

it('shows a promised update that is late as overdue, and the reminder (update_due) in words', async () => {
  const { context, page } = await newPage(PHONE);
  try {
    const incident = await reportAs('facebook.responder', { title: 'Overdue display', participants: ['fbi'] });
    await openIncident(page, 'facebook.responder', incident);
    // The time cannot be moved on `npm start`: the page's own module draws an incident whose promise has passed.
    // (A string, so that the test's compiler leaves the browser's dynamic import as it is.)
    const drawn = await page.evaluate(`(async () => {
      const m = await import('./app/views/coordination.js');
      const late = m.renderStatus({ status: 'assigned', lastUpdate: { summary: 'Working on it', phase: 'investigating', at: '2026-01-01T10:00:00.000Z', actor: { orgId: 'fbi', by: 'Dana' } }, nextUpdateDueAt: '2026-01-01T10:30:00.000Z' });
      const resolved = m.renderStatus({ status: 'resolved', lastUpdate: null, nextUpdateDueAt: '2026-01-01T10:30:00.000Z' });
      // The reminder the timer leaves in the timeline when the promise passes.
      const i = await import('./app/views/incident.js');
      const span = document.createElement('span');
      span.append(...i.describe({ type: 'update_due', at: '2026-01-01T10:31:00.000Z', actor: { orgId: 'concord', via: 'system' }, data: { dueAt: '2026-01-01T10:30:00.000Z', lastUpdateAt: '2026-01-01T10:00:00.000Z', orgId: 'fbi' } }));
      return { late: late.querySelector('#next-update').outerHTML, lateText: late.querySelector('#next-update').textContent, resolved: resolved.querySelector('#next-update').className, reminder: span.textContent };
    })()`) as { late: string; lateText: string; resolved: string; reminder: string };
    expect(drawn.late).toContain('class="overdue"');
    expect(drawn.reminder).toMatch(/^The status update due .+ was not posted: FBI reminded\.$/);
    expect(drawn.lateText).toMatch(/^Overdue: next update due .+ — it has not been posted\.$/);
    expect(drawn.resolved).toBe('');
  } finally {
    await context.close();
  }
}, 60_000);

it('a stale edit is refused with the 412 explained: nothing saved; after reloading, the change goes through on the new version', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Hoax title before the edit', participants: ['fbi'], description: 'first words' });
  const { context, page } = await newPage(PHONE);
  try {
    await openIncident(page, 'facebook.responder', incident);
    await page.locator('#edit-details summary').click();
    expect(await page.locator('#edit-version').textContent()).toContain('version 1');
    expect(await page.inputValue('#edit-title')).toBe('Hoax title before the edit');
    // The reporter's organization may change the label: offered here, with every label the API lists.
    expect(await page.locator('#edit-tlp option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
    await page.locator('#edit-title').fill('Hoax title after my edit');
    // Meanwhile someone else raises the severity.
    const other = await call('fbi.responder', 'PATCH', `/v1/incidents/${incident.id}`, { severity: 'critical' }, { 'if-match': '"1"' });
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Save changes' }).click();
    const error = page.locator('#act-edit-error');
    await error.getByRole('button', { name: 'Reload the incident' }).waitFor();
    expect(await error.textContent()).toMatch(/Not saved: someone changed this incident after you opened this form \(you edited version 1; it is at version 2 now\)\. Reload it to see their change, then make yours again\./);
    expect(await error.getAttribute('role')).toBe('alert');
    expect((await read('facebook.responder', incident.id)).title).toBe('Hoax title before the edit');
    await axe(page, 'incident: stale edit');

    await error.getByRole('button', { name: 'Reload the incident' }).click();
    await page.waitForSelector('#fields:has-text("critical")');
    await page.locator('#edit-details summary').click();
    expect(await page.locator('#edit-version').textContent()).toContain('version 2');
    await page.locator('#edit-title').fill('Hoax title after my edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForSelector('#flash:has-text("Saved: title changed (now version 3)")');
    await page.waitForSelector('#incident-title:has-text("Hoax title after my edit")');
    expect(await page.locator('#timeline li[data-type=updated]').allTextContents()).toEqual([
      expect.stringMatching(/FBI \(Dana Whitfield\) changed the severity from high to critical\./),
      expect.stringMatching(/FACEBOOK \(Jordan Lee\) changed the title from “Hoax title before the edit” to “Hoax title after my edit”\./),
    ]);
  } finally {
    await context.close();
  }
}, 90_000);

it('offers the label only to the reporter\'s organization (which widens it through the form), and invitations to a TLP:AMBER incident only to the reporter', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Only the source relabels', participants: ['fbi'] });
  const { context, page } = await newPage(DESKTOP);
  try {
    await openIncident(page, 'fbi.responder', incident);
    await page.locator('#edit-details summary').click();
    await page.locator('#edit-severity').waitFor();
    expect(await page.locator('#edit-tlp').count()).toBe(0);
    expect(await page.locator('#act-invite').count()).toBe(0);
    expect(await page.locator('#invite-reporter-only').textContent()).toContain('Only the reporter\'s organization (FACEBOOK) may bring others into a TLP:AMBER incident');
  } finally {
    await context.close();
  }
  // The reporter's organization widens the label through the form.
  const reporter = await newPage(DESKTOP);
  try {
    await openIncident(reporter.page, 'facebook.responder', incident);
    await reporter.page.locator('#edit-details summary').click();
    await reporter.page.selectOption('#edit-tlp', 'GREEN');
    await reporter.page.getByRole('button', { name: 'Save changes' }).click();
    await reporter.page.waitForSelector('#flash:has-text("Saved: TLP changed (now version 2)")');
    await reporter.page.waitForSelector('.badges .tlp-GREEN');
    expect(await reporter.page.locator('#timeline li[data-type=updated]').textContent()).toContain('FACEBOOK (Jordan Lee) changed the TLP from TLP:AMBER to TLP:GREEN.');
    expect((await read('facebook.responder', incident.id)).tlp).toBe('GREEN');
  } finally {
    await reporter.context.close();
  }
}, 60_000);

it('an invitation refused because the label narrowed meanwhile says why, in the API\'s words, and brings no one in', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Narrowed while inviting', participants: ['fbi'], tlp: 'GREEN' });
  const { context, page } = await newPage(PHONE);
  try {
    await openIncident(page, 'fbi.responder', incident);
    await page.waitForSelector('#invite-orgs-list input[value=twitter]'); // GREEN: any participant may invite
    expect((await call('facebook.responder', 'PATCH', `/v1/incidents/${incident.id}`, { tlp: 'AMBER' })).status).toBe(200);
    await page.locator('label[for=invite-twitter]').click();
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.waitForSelector('#act-invite-error:has-text("Not done: Only the reporter\'s organization (facebook) may invite to a TLP:AMBER incident")');
    expect((await read('facebook.responder', incident.id)).participants).toEqual(['facebook', 'fbi']);
  } finally {
    await context.close();
  }
}, 60_000);

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('on a %s', (size, viewport) => {
  it('links by id (related, duplicate), lists the related incidents as links, removes a link, and reopens the duplicate; axe finds nothing serious on each page', async () => {
    const main = await reportAs('facebook.responder', { title: `Main campaign incident (${size})`, participants: ['fbi'] });
    const other = await reportAs('facebook.responder', { title: `Same accounts elsewhere (${size})`, participants: ['fbi'] });
    const dup = await reportAs('facebook.responder', { title: `Reported twice (${size})`, participants: ['fbi'] });
    const { context, page } = await newPage(viewport);
    try {
      await openIncident(page, 'facebook.responder', main);
      expect(await page.locator('#related').textContent()).toBe('None linked.');
      await page.getByLabel('Incident id *').fill(other.id);
      await page.selectOption('#link-relation', 'related');
      await page.getByRole('button', { name: 'Link', exact: true }).click();
      await page.waitForSelector(`#flash:has-text("Linked: this incident is related to ${other.id}.")`);
      const item = page.locator(`#related li[data-id="${other.id}"]`);
      await item.waitFor();
      expect(await item.getByRole('link').getAttribute('href')).toBe(`#/incidents/${other.id}`);
      expect(await page.locator('#timeline li[data-type=linked]').textContent()).toContain(`FACEBOOK (Jordan Lee) marked it related to ${other.id}.`);
      // A link to itself is refused before it is sent.
      await page.getByLabel('Incident id *').fill(main.id);
      await page.getByRole('button', { name: 'Link', exact: true }).click();
      await page.waitForSelector('#link-id-error:has-text("That is this incident.")');
      // One not visible (or missing): the API's 404, said of the id.
      await page.getByLabel('Incident id *').fill('inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF');
      await page.getByRole('button', { name: 'Link', exact: true }).click();
      await page.waitForSelector('#link-id-error:has-text("No such incident, or your organization may not see it.")');
      await page.getByLabel('Incident id *').fill('');
      // Every coordination control on the page, the edit form open and the directory loaded.
      await page.waitForSelector('#invite-orgs-list input');
      await page.locator('#edit-details summary').click();
      await page.locator('#edit-title').waitFor();
      await noHorizontalScroll(page);
      await bigEnoughTargets(page);
      await axe(page, `incident with coordination controls (${size})`);
      await shot(page, `coordination-controls-${size}`);

      await item.getByRole('button', { name: `Remove link to ${other.id}` }).click();
      await page.waitForSelector(`#flash:has-text("Link to ${other.id} removed.")`);
      await page.waitForSelector('#related:has-text("None linked.")');
      expect(await page.locator('#timeline li[data-type=unlinked]').textContent()).toContain(`removed the link to ${other.id} (related)`);
      expect((await read('facebook.responder', main.id)).related).toEqual([]);

      // The second report is a duplicate of the main one: linking it so resolves it; then it is reopened.
      await page.evaluate((id) => { location.hash = `#/incidents/${id}`; }, dup.id);
      await page.waitForSelector(`#incident-title:has-text("Reported twice (${size})")`);
      await page.getByLabel('Incident id *').fill(main.id);
      await page.selectOption('#link-relation', 'duplicate');
      await page.getByRole('button', { name: 'Link', exact: true }).click();
      await page.waitForSelector('.status.resolved');
      await page.waitForSelector(`#fields:has-text("Duplicate of ${main.id}")`);
      await page.waitForSelector(`#related li[data-id="${main.id}"]:has-text("Duplicate")`);
      expect(await page.locator('#act-update').count()).toBe(0); // resolved: no status updates
      await axe(page, `resolved incident with the reopen form (${size})`);
      await page.getByLabel('Reason *').fill('Not the same campaign after all.');
      await page.getByRole('button', { name: 'Reopen' }).click();
      await page.waitForSelector('#flash:has-text("Reopened (it is reported again)")');
      await page.waitForSelector('.status.reported');
      expect(await page.locator('#timeline li[data-type=reopened]').textContent()).toContain('FACEBOOK (Jordan Lee) reopened it: “Not the same campaign after all.”');
      expect(await page.locator('#act-reopen').count()).toBe(0);
      await noHorizontalScroll(page);
    } finally {
      await context.close();
    }
  }, 120_000);
});

it('an organization outside a TLP:GREEN incident reads it and may join it; joined, it acts on it', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Community-shared hoax', participants: ['fbi'], tlp: 'GREEN' });
  // The contract ("Coordination"): every organization in the directory may read a GREEN or CLEAR incident.
  expect((await call('twitter.responder', 'GET', `/v1/incidents/${incident.id}`)).status).toBe(200);
  const { context, page } = await newPage(PHONE);
  try {
    await openIncident(page, 'twitter.responder', incident);
    expect(await page.locator('#actions').textContent()).toContain('Your organization does not take part in this TLP:GREEN incident');
    expect(await page.locator('#act-note').count()).toBe(0);
    await axe(page, 'community incident, not a participant');
    await page.getByRole('button', { name: 'Join this incident' }).click();
    await page.waitForSelector('#flash:has-text("TWITTER takes part now.")');
    await page.waitForSelector('#participants li[data-org=twitter]');
    await page.waitForSelector('#act-note');
    expect(await page.locator('#timeline li[data-type=participants_added]').textContent()).toContain('TWITTER (Alex Moreno) brought in TWITTER.');
  } finally {
    await context.close();
  }
}, 60_000);
