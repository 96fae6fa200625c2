/// <reference lib="dom" />
/**
 * What the managers' console did, now in the responders' app (the console redirects there), in a
 * real browser (Debian's Chromium driven by playwright-core) with API keys, the sign-in systems'
 * operators keep: the open incidents, an incident's timeline, and the charts drawn from
 * GET /v1/metrics for managers only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

const CHROMIUM = process.env.CONCORD_CHROMIUM ?? '/usr/bin/chromium';

let api: TestApi;
let browser: Browser;
let page: Page;
const titles: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The app's metrics test needs Chromium at ${CHROMIUM}: apt-get install chromium (the README lists it; .ci/run installs it).`);
  api = await startTestApi({ metrics: true });
  for (const [severity, participants] of [['critical', ['fbi', 'cisa']], ['high', ['google']], ['low', ['twitter', 'cisa']]] as const) {
    const { body } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ severity, title: `Console check ${severity}`, participants }));
    titles.push(body.title);
    await api.call(KEYS.partner[participants[0]], 'POST', `/v1/incidents/${body.id}/acknowledge`, { by: 'duty officer' });
    if (severity === 'high') await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${body.id}/resolve`, { resolution: 'removed' });
  }
  const today = new Date().toISOString().slice(0, 10);
  await eventually(async () => (await api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${today}T00:00:00Z&to=${new Date(Date.now() + 86400_000).toISOString()}`)).body.incidents?.resolved === 1);
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

/** Old console bookmarks land on the app's sign-in, where operators use a key. */
async function signInWithKey(key: string) {
  await page.goto(`${api.url}/console`);
  expect(new URL(page.url()).pathname).toBe('/app');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.waitForSelector('#signed-out:not([hidden])');
  // Without an identity provider (this harness has none), the key form is the one offered, open.
  expect(await page.$eval('#key-sign-in', (d) => (d as HTMLDetailsElement).open)).toBe(true);
  expect(await page.isVisible('#oidc-sign-in')).toBe(false);
  await page.fill('#key', key);
  await page.click('#sign-in button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
}

it('refuses an unknown key with a clear message', async () => {
  await page.goto(`${api.url}/console`);
  await page.fill('#key', 'not-a-key-anyone-has-0123456789');
  await page.click('#sign-in button[type=submit]');
  await page.waitForSelector('#sign-in-error:has-text("Unknown or revoked key")');
  expect(await page.isVisible('#nav')).toBe(false);
});

it('signs a partner key in without any metrics', async () => {
  await signInWithKey(KEYS.partner.fbi);
  await page.waitForSelector('#incidents tbody tr');
  expect(await page.isVisible('#nav-metrics')).toBe(false);
  expect(await page.isVisible('#nav a[data-nav=report]')).toBe(true); // partners report
  expect(await page.isVisible('#nav a[data-nav=oncall]')).toBe(false); // On call is a signed-in person's organization's
  await page.goto(`${api.url}/app#/metrics`);
  await page.waitForSelector('#metrics-denied:not([hidden])');
  expect(await page.isVisible('#dashboard')).toBe(false);
  expect(await page.locator('canvas').count()).toBe(0);
});

it('offers an admin key neither the report form nor metrics, and says why it lists nothing', async () => {
  await signInWithKey(KEYS.admin);
  await page.waitForSelector('#list-status:has-text("Your role does not list incidents")');
  expect(await page.isVisible('#nav a[data-nav=report]')).toBe(false); // the API refuses admins' reports (403) too
  expect(await page.isVisible('#nav-metrics')).toBe(false);
});

it('signs a manager in, lists open incidents, opens a timeline and draws the charts', async () => {
  await signInWithKey(KEYS.manager.cisa);
  await page.waitForSelector('#incidents tbody tr');
  expect(await page.isVisible('#nav a[data-nav=report]')).toBe(false); // the API refuses managers' reports (403): no link to a form they cannot send
  const rows = await page.$$eval('#incidents tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
  // The resolved one is not open; the others are.
  expect(rows.some((r) => r.includes(titles[0]!))).toBe(true);
  expect(rows.some((r) => r.includes(titles[2]!))).toBe(true);
  expect(rows.some((r) => r.includes(titles[1]!))).toBe(false);

  await page.click(`#incidents tbody tr:has-text("${titles[0]}")`);
  await page.waitForSelector('#timeline li');
  const events = await page.$$eval('#timeline li', (lis) => lis.map((li) => li.textContent ?? ''));
  expect(events[0]).toContain('reported');
  expect(events.some((e) => e.includes('acknowledged') && e.includes('duty officer'))).toBe(true);

  // A manager follows; the participants' people act.
  expect(await page.locator('#actions form').count()).toBe(0);
  await page.click('#nav-metrics');
  for (const chart of ['#chart-tta', '#chart-ttr', '#chart-org']) {
    await page.waitForSelector(`${chart} canvas`);
    // Something was drawn: the canvas has non-transparent pixels.
    const inked = await page.$eval(`${chart} canvas`, (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(100);
  }
  expect(await page.$$eval('#chart-org .u-legend', (l) => l.length)).toBe(1);
  if (process.env.CONCORD_SCREENSHOT) await page.screenshot({ path: process.env.CONCORD_SCREENSHOT, fullPage: true });
});

it('draws each severity in a colour with at least 3:1 contrast on the white chart (WCAG 1.4.11)', () => {
  const source = readFileSync(join(__dirname, '..', '..', 'app', 'views', 'metrics.js'), 'utf8');
  const colors = Object.fromEntries([.../const COLORS = \{([^}]*)\}/.exec(source)![1]!.matchAll(/(\w+): '(#[0-9a-f]{6})'/gi)].map(([, k, v]) => [k!, v!]));
  expect(Object.keys(colors).sort()).toEqual(['critical', 'high', 'low', 'medium']);
  const channel = (c: number) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  const luminance = (hex: string) => [1, 3, 5].map((i) => channel(parseInt(hex.slice(i, i + 2), 16))).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
  for (const [severity, hex] of Object.entries(colors)) {
    const ratio = 1.05 / (luminance(hex) + 0.05);
    expect({ severity, hex, atLeast3: ratio >= 3 }).toEqual({ severity, hex, atLeast3: true });
  }
});
