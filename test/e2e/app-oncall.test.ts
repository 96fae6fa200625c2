/// <reference lib="dom" />
/**
 * "Take this shift" (#24) against `npm start`, with demo people signed in through the embedded
 * provider: the endpoint's rules (a person only for themselves — the contact with their email —
 * and only on their own organization's schedule; the admin for any member; 400 naming the field,
 * changing nothing; audited), then the app's On call view in Chromium: each level and who is on
 * call now, the next two weeks' shifts, taking one, the calendar link copied; axe on the page.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { startAppHost, type AppHost } from '../support/app-host';

const CISA_ADMIN_KEY = 'demo-cisa-admin-9e7c5a3b1f2d4068';
const CISA_PARTNER_KEY = 'demo-cisa-partner-5d7b9e1a3c6f0284';
const HOUR = 3600_000;
const PATH = '/v1/organizations/cisa/schedules/watch';
const SHOTS = join(__dirname, '..', '..', '.tmp', 'app-screenshots');

let host: AppHost;
let url: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  host = await startAppHost();
  ({ url, browser } = host);
}, 120_000);
afterAll(async () => { await host?.stop(); });

const tokens = new Map<string, string>();
async function tokenFor(login: string): Promise<string> {
  if (!tokens.has(login)) {
    const res = await fetch(`${url}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login }) });
    tokens.set(login, ((await res.json()) as { access_token: string }).access_token);
  }
  return tokens.get(login)!;
}
/** `who`: a demo login (a person) or an API key. */
async function call(who: string, method: string, path: string, body?: unknown) {
  const bearer = who.startsWith('demo-') ? who : await tokenFor(who);
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * The demo's watch rotation, restarted at this hour in UTC with the watch desk first: the watch
 * desk is on call now and for 24 hours, then Priya Raman (cisa.responder) for 24, and so on.
 */
const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();
async function resetRotation() {
  const res = await call(CISA_ADMIN_KEY, 'PUT', PATH, {
    name: 'Watch desk rotation', timeZone: 'UTC',
    layers: [{ start: iso(hourStart).slice(0, 16), rotation: 'daily', members: ['ei-isac-watch-desk', 'priya-raman'] }],
  });
  expect([200, 201]).toContain(res.status);
}

describe('POST …/schedules/{id}/overrides ("take this shift")', () => {
  beforeAll(resetRotation);

  it('refuses bad input with 400 naming the field and changes nothing', async () => {
    const before = (await call('cisa.responder', 'GET', PATH)).body;
    const bad = async (body: unknown, path: string) => {
      const res = await call('cisa.responder', 'POST', `${PATH}/overrides`, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await bad({ from: 'tomorrow', to: iso(hourStart + 51 * HOUR) }, 'from');
    await bad({ from: iso(hourStart + 51 * HOUR), to: iso(hourStart + 50 * HOUR) }, 'to');
    await bad({ from: iso(hourStart + 50 * HOUR), to: iso(hourStart + 50 * HOUR + 94 * 24 * HOUR) }, 'to');
    await bad({ from: iso(hourStart - 10 * HOUR), to: iso(hourStart - 9 * HOUR) }, 'to'); // not who was on call
    await bad({ from: iso(hourStart + 50 * HOUR), to: iso(hourStart + 51 * HOUR), note: 'x' }, 'note');
    await bad({ from: iso(hourStart + 50 * HOUR) }, 'to');
    const admin = await call(CISA_ADMIN_KEY, 'POST', `${PATH}/overrides`, { contact: 'election-security-manager', from: iso(hourStart + 50 * HOUR), to: iso(hourStart + 51 * HOUR) });
    expect([admin.status, admin.body.errors]).toEqual([400, [expect.objectContaining({ path: 'contact' })]]);
    expect((await call(CISA_ADMIN_KEY, 'POST', `${PATH}/overrides`, { from: iso(hourStart + 50 * HOUR), to: iso(hourStart + 51 * HOUR) })).body.errors)
      .toEqual([expect.objectContaining({ path: 'contact' })]);
    expect((await call('cisa.responder', 'GET', PATH)).body).toEqual(before);
  });

  it('lets a person take a shift for themselves only, on their own organization\'s schedule; the admin for any member; each audited', async () => {
    const window = { from: iso(hourStart + 50 * HOUR), to: iso(hourStart + 51 * HOUR) }; // the watch desk's third day
    const at = iso(hourStart + 50 * HOUR + 30 * 60_000);
    expect((await call('cisa.responder', 'GET', `${PATH}/oncall?at=${at}`)).body.contacts).toEqual(['ei-isac-watch-desk']);

    // Another organization's person: the schedule does not exist for them, as on every schedule route.
    expect((await call('fbi.responder', 'POST', `${PATH}/overrides`, window)).status).toBe(404);
    // A person of cisa whose email is no contact's (the demo manager has none): 403, saying why.
    const stranger = await call('cisa.manager', 'POST', `${PATH}/overrides`, window);
    expect(stranger.status).toBe(403);
    expect(stranger.body.detail).toMatch(/email/);
    // A key is no one; a person may not name someone else.
    expect((await call(CISA_PARTNER_KEY, 'POST', `${PATH}/overrides`, window)).status).toBe(403);
    expect((await call('cisa.responder', 'POST', `${PATH}/overrides`, { ...window, contact: 'ei-isac-watch-desk' })).status).toBe(403);
    expect((await call('cisa.responder', 'GET', PATH)).body.overrides).toEqual([]);

    const taken = await call('cisa.responder', 'POST', `${PATH}/overrides`, window);
    expect(taken.status).toBe(201);
    expect(taken.body.overrides).toEqual([{ contact: 'priya-raman', ...window }]);
    expect((await call('cisa.responder', 'GET', `${PATH}/oncall?at=${at}`)).body).toEqual({ at, contacts: ['priya-raman'], until: window.to });

    // The admin names any member contact; the last override listed wins.
    const handedBack = await call(CISA_ADMIN_KEY, 'POST', `${PATH}/overrides`, { ...window, contact: 'ei-isac-watch-desk' });
    expect(handedBack.status).toBe(201);
    expect((await call('cisa.responder', 'GET', `${PATH}/oncall?at=${at}`)).body.contacts).toEqual(['ei-isac-watch-desk']);

    const audit = await call(CISA_ADMIN_KEY, 'GET', `/v1/audit?from=${iso(hourStart - HOUR)}&to=${iso(Date.now() + HOUR)}&action=schedule.override`);
    expect(audit.status).toBe(200);
    const entries = audit.body.items as Array<{ actor: { orgId: string; by: string | null; personId?: string; keyId?: string }; outcome: string }>;
    expect(entries.filter((e) => e.outcome === 'allowed').map((e) => e.actor.by ?? e.actor.keyId)).toEqual(['Priya Raman', expect.any(String)]);
    expect(entries.find((e) => e.outcome === 'allowed')!.actor.personId).toMatch(/#cisa\.responder$/);
    expect(entries.filter((e) => e.outcome === 'denied').map((e) => e.actor.by)).toEqual(expect.arrayContaining(['Taylor Brooks', 'Priya Raman']));
  });
});

/** What an element says, its white space folded (as a screen reader reads it on one line). */
const text = (l: Locator) => l.evaluate((n) => (n.textContent ?? '').replace(/\s+/g, ' ').trim());

async function axe(page: Page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (o?: unknown) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } })
      .axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}

describe('the app\'s On call view', () => {
  beforeAll(resetRotation);

  it('shows a signed-in person each level and who is on call now, the next two weeks of shifts, takes a shift, and copies the calendar link', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    const csp: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
    try {
      await page.goto(`${url}/app`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/local\/idp\/interaction\//);
      await page.getByLabel('Login').fill('cisa.responder');
      await page.getByLabel('Password').fill('demo-cisa-responder');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.pathname === '/app' && !u.search);
      await page.waitForSelector('#who:has-text("Priya Raman")');

      await page.getByRole('link', { name: 'On call' }).click();
      await page.waitForSelector('#oncall-levels');
      expect(await page.getByRole('link', { name: 'On call' }).getAttribute('aria-current')).toBe('page');
      const levels = page.locator('#oncall-levels > li');
      expect(await levels.count()).toBe(2);
      expect(await text(levels.nth(0))).toMatch(/^Level 1 \(at once\): schedule Watch desk rotation, on call now: ei-isac-watch-desk until /);
      expect(await text(levels.nth(1))).toMatch(/^Level 2 \(15 minutes after level 1\): contact election-security-manager$/);

      const card = page.locator('article[data-schedule=watch]');
      expect(await text(card.locator('.oncall-now'))).toMatch(/On call now: ei-isac-watch-desk until/);
      const rows = card.locator('tbody tr');
      // 14 days of a daily rotation: the shift in force now and the next 14 (each given whole).
      expect(await rows.count()).toBeGreaterThanOrEqual(14);
      expect(await rows.nth(0).locator('td').nth(0).innerText()).toBe('ei-isac-watch-desk');
      expect(await rows.nth(1).locator('td').nth(0).innerText()).toBe('priya-raman');
      expect(await card.locator('bdi').first().getAttribute('dir')).toBeNull(); // <bdi> isolates by itself
      await axe(page);

      await rows.nth(0).getByRole('button', { name: /^Take this shift/ }).click();
      await page.waitForSelector('#flash:has-text("You take the shift")');
      await page.waitForFunction(() => /On call now: priya-raman/.test(document.querySelector('article[data-schedule=watch] .oncall-now')?.textContent ?? ''));
      expect(await text(page.locator('#oncall-levels > li').nth(0))).toMatch(/on call now: priya-raman/);
      expect(await card.locator('tbody tr').nth(0).locator('td').nth(0).innerText()).toBe('priya-raman');
      const api = await call('cisa.responder', 'GET', `${PATH}/oncall`);
      expect(api.body.contacts).toEqual(['priya-raman']);

      const link = await card.locator('input[readonly]').inputValue();
      expect(link).toMatch(/\/v1\/organizations\/cisa\/schedules\/watch\/calendar\.ics\?token=[A-Za-z0-9_-]{43}$/);
      await card.getByRole('button', { name: 'Copy calendar link' }).click();
      await page.waitForSelector('#flash:has-text("Calendar link copied")');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
      // The link names the public base URL, which the tests' environment sets for every process: read it here.
      const feed = await fetch(`${url}${new URL(link).pathname}${new URL(link).search}`);
      expect([feed.status, feed.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/calendar')]);
      await page.screenshot({ path: join(SHOTS, 'oncall.png'), fullPage: true });
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
