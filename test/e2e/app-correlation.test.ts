/// <reference lib="dom" />
/**
 * Observables in the responders' app (#25), in a real browser against `npm start` (whose stream
 * poller runs the correlation): the incident page shows observables in canonical form, a
 * participant adds one (an invalid one is refused with the reason, at its field), the incidents
 * sharing one are listed with what they share, and the list's lookup box answers "have we seen this
 * before?" — with axe checking each page, at phone size and on a desktop.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startAppHost, type AppHost } from '../support/app-host';
import { eventually } from '../support/harness';
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
it('shows observables canonically, adds one (refusing an invalid one at its field), and lists the incident sharing one', async () => {
  const mine = await reportAs('facebook.responder', { title: 'Accounts push a fake polls-closed site', tlp: 'GREEN', observables: [{ type: 'domain-name', value: 'Polls-Closed-App.EXAMPLE.' }] });
  const theirs = await reportAs('twitter.responder', { title: 'Same site from our side', tlp: 'GREEN', observables: [{ type: 'domain-name', value: 'polls-closed-app.example' }] });
  const { context, page } = await newPage(DESKTOP);
  try {
    await openIncident(page, 'facebook.responder', mine);
    expect(await page.locator('#observable-list li').allTextContents()).toEqual(['domain-name polls-closed-app.example']);
    // The correlation runs on the stream: the page's polling brings the match in.
    await page.waitForSelector(`#matches li[data-id="${theirs.id}"]`, { timeout: 30_000 });
    expect(await page.locator(`#matches li[data-id="${theirs.id}"]`).textContent()).toMatch(/Same site from our side.*shares domain-name polls-closed-app\.example/);
    await page.waitForSelector('#timeline li[data-type=correlated]', { timeout: 30_000 });
    expect(await page.locator('#timeline li[data-type=correlated]').textContent()).toContain(`Shares domain-name polls-closed-app.example with ${theirs.id}`);

    // An IPv4 address with a leading zero is refused, at its field, with the reason.
    await page.selectOption('#obs-type', 'ipv4-addr');
    await page.getByLabel('Value', { exact: true }).fill('010.0.0.1');
    await page.getByRole('button', { name: 'Add observable' }).click();
    await page.waitForSelector('#obs-value-error:has-text("leading zero")');
    // Fixed: added, and its canonical form said and shown.
    await page.getByLabel('Value', { exact: true }).fill('2001:DB8:0:0:0:0:0:7');
    await page.selectOption('#obs-type', 'ipv6-addr');
    await page.getByRole('button', { name: 'Add observable' }).click();
    await page.waitForSelector('#flash:has-text("Added as ipv6-addr 2001:db8::7")');
    await page.waitForSelector('#observable-list li:has-text("2001:db8::7")');
    expect(await page.locator('#timeline li[data-type=observables_added]').textContent()).toContain('added ipv6-addr 2001:db8::7');
    await axe(page, 'incident with observables');
    await shot(page, 'observables-incident-desktop');
  } finally {
    await context.close();
  }
});

it('at phone size, the lookup box answers "have we seen this before?" in any spelling', async () => {
  const seen = await reportAs('twitter.responder', { title: 'Lookup target', tlp: 'GREEN', observables: [{ type: 'user-account', value: '@LookupHandle', platform: 'twitter' }] });
  // The index is written by the stream, "within moments" of the report: the box asks once, so the
  // test waits for the index first (on a loaded CI machine the stream may lag the sign-in).
  await eventually(async () => {
    const found = await call('fbi.responder', 'GET', '/v1/observables?type=user-account&value=lookuphandle&platform=twitter');
    return (found.body as { items: Array<{ id: string }> }).items.some((i) => i.id === seen.id);
  }, 60_000);
  const { context, page } = await newPage(PHONE);
  try {
    await signIn(page, 'fbi.responder');
    await page.waitForSelector('#lookup-box');
    await page.selectOption('#lookup-type', 'user-account');
    await page.getByLabel('Value', { exact: true }).fill('LOOKUPHANDLE');
    await page.getByLabel('Platform', { exact: true }).fill('Twitter');
    await page.getByRole('button', { name: 'Have we seen this?' }).click();
    await page.waitForSelector(`#lookup-list li[data-id="${seen.id}"]`);
    expect(await page.locator('#lookup-results p').first().textContent()).toMatch(/Looked up as user-account lookuphandle on twitter: 1 incident you may see/);
    // Invalid: the reason, nothing found.
    await page.selectOption('#lookup-type', 'ipv4-addr');
    await page.getByLabel('Value', { exact: true }).fill('1.2.3.04');
    await page.getByLabel('Platform', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Have we seen this?' }).click();
    await page.waitForSelector('#lookup-results:has-text("leading zero")');
    await noHorizontalScroll(page);
    await bigEnoughTargets(page);
    await axe(page, 'list with lookup');
    await shot(page, 'observables-lookup-phone');
  } finally {
    await context.close();
  }
});
