/// <reference lib="dom" />
/**
 * The responders' app in a real browser (Debian's Chromium driven by playwright-core) against
 * `npm start` — the only way to have the embedded OpenID provider (oidc-provider is ESM only, so
 * the in-process harness cannot run it). Demo people sign in through the real sign-in form with
 * code + PKCE, and work incidents; the API then shows every step as theirs.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startAppHost, type AppHost } from '../support/app-host';
import { noHorizontalScroll, bigEnoughTargets } from '../support/app-checks';
import { APP_FILES } from '../../lambdas/config/app-files';

const root = join(__dirname, '..', '..');
const SHOTS = join(root, '.tmp', 'app-screenshots');
const PASSWORDS: Record<string, string> = {
  'fbi.responder': 'demo-fbi-responder', 'facebook.responder': 'demo-facebook-responder', 'microsoft.responder': 'demo-microsoft-responder',
  'cisa.manager': 'demo-cisa-manager', 'cisa.responder': 'demo-cisa-responder',
};
const NAMES: Record<string, string> = { 'fbi.responder': 'Dana Whitfield', 'microsoft.responder': 'Riley Novak', 'cisa.manager': 'Taylor Brooks', 'cisa.responder': 'Priya Raman' };

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
  expect(cspViolations).toEqual([]);
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
async function call(login: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${await tokenFor(login)}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
async function reportAs(login: string, fields: Record<string, unknown>) {
  const res = await call(login, 'POST', '/v1/incidents', { severity: 'high', category: 'misinformation', ...fields });
  expect(res.status).toBe(201);
  return res.body as { id: string; title: string };
}

async function newPage(viewport = { width: 1280, height: 800 }, options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  if (!options.bypassCSP) {
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  }
  return { context, page };
}

/** Through the real sign-in form of the embedded provider: redirects, PKCE, code exchange. */
async function signIn(page: Page, login: string, hash = '') {
  await page.goto(`${url}/app${hash}`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/local\/idp\/interaction\//);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(PASSWORDS[login]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/app' && !u.search);
  if (NAMES[login]) await page.waitForSelector(`#who:has-text("${NAMES[login]}")`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function axe(page: Page, screen: string) {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  }
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (o?: unknown) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } })
      .axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  expect({ screen, violations: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ screen, violations: [] });
}

// ---------- the tests ----------
it('serves the app with a strict CSP and its sign-in settings, and sends the console there', async () => {
  const page = await fetch(`${url}/app`);
  expect(page.status).toBe(200);
  const csp = page.headers.get('content-security-policy')!;
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(await (await fetch(`${url}/app/config.json`)).json()).toEqual({
    issuer: `${url}/local/idp`, clientId: 'concord-app', resource: 'urn:concord:api', scope: 'openid profile api', sendToken: 'access_token', orgClaim: 'org',
  });
  const html = await page.text();
  expect(html).not.toMatch(/<script>|<style>|\sstyle="|\son[a-z]+="/);
  expect(html).not.toMatch(/(src|href)="\//); // relative URLs only: behind API Gateway the app is under /<stage>/
  const console = await fetch(`${url}/console`, { redirect: 'manual' });
  expect([301, 302]).toContain(console.status);
  expect(console.headers.get('location')).toBe('app');
  expect((await fetch(`${url}/console/app.js`, { redirect: 'manual' })).headers.get('location')).toBe('../app');
  expect((await fetch(`${url}/app/nope.js`)).status).toBe(404);
  // Native ES modules, each served as JavaScript under the same CSP (a module of another type would not run).
  const modules = Object.keys(APP_FILES).filter((name) => name.endsWith('.js') && !name.startsWith('uPlot'));
  expect(modules).toEqual(expect.arrayContaining(['main.js', 'api.js', 'sign-in.js', 'rules.js', 'views/list.js', 'views/incident.js', 'views/report.js', 'views/metrics.js']));
  expect(html).toContain('<script type="module" src="app/main.js"></script>');
  for (const name of modules) {
    const res = await fetch(`${url}/app/${name}`);
    expect({ name, status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy') })
      .toEqual({ name, status: 200, type: 'text/javascript; charset=utf-8', csp });
    const js = await res.text();
    expect({ name, localStorage: /localStorage\s*(\.\w|\[)/.test(js) }).toEqual({ name, localStorage: false }); // tokens and drafts live in the tab only
  }
  expect((await fetch(`${url}/app/views/nope.js`)).status).toBe(404);
  expect((await fetch(`${url}/app/views/..%2Fapi.js`)).status).toBe(404);
});

it('sends /app/ and /app/index.html to /app, where the page\'s relative URLs resolve', async () => {
  for (const path of ['/app/', '/app/index.html']) {
    const res = await fetch(`${url}${path}`, { redirect: 'manual' });
    expect({ path, status: res.status }).toEqual({ path, status: 302 });
    expect(new URL(res.headers.get('location')!, `${url}${path}`).href).toBe(`${url}/app`);
  }
});

describe.each([
  ['phone', { width: 360, height: 740 }],
  ['desktop', { width: 1280, height: 800 }],
])('on a %s', (size, viewport) => {
  it('a demo responder signs in, sees an incident another organization reported, acknowledges, assigns, notes and resolves it', async () => {
    const incident = await reportAs('facebook.responder', { title: `Fake polling-place closures (${size})`, participants: ['fbi', 'cisa'], description: 'Posts claim that polling places in three counties are closed.', links: [{ href: 'https://example.com/post/1', text: 'first post' }] });
    const { context, page } = await newPage(viewport);
    try {
      await signIn(page, 'fbi.responder');
      const row = page.locator('#incidents tbody tr', { hasText: incident.title });
      await row.waitFor();
      expect(await row.locator('.tlp').getAttribute('data-meaning')).toMatch(/^TLP:AMBER: Limited disclosure/);
      await noHorizontalScroll(page);
      await bigEnoughTargets(page);
      await shot(page, `list-${size}`);

      await row.getByRole('link', { name: incident.title }).click();
      await page.waitForSelector(`#incident-title:has-text("${incident.title}")`);
      expect(page.url()).toContain(`#/incidents/${incident.id}`);
      await expect(page.locator('#participants li[data-org=fbi]').textContent()).resolves.toContain('not acknowledged yet');
      await expect(page.locator('#fields').textContent()).resolves.toContain('FACEBOOK');
      await noHorizontalScroll(page);
      await bigEnoughTargets(page);
      await shot(page, `incident-${size}`);

      await page.getByRole('button', { name: 'Acknowledge' }).click();
      await page.waitForSelector('#flash:has-text("Acknowledged")');
      await page.waitForSelector('#participants li[data-org=fbi]:has-text("acknowledged by Dana Whitfield")');

      await page.selectOption('#assign-org', 'fbi');
      await page.getByLabel('Responder (a team or a person)').fill('Election crimes duty desk');
      await page.getByRole('button', { name: 'Assign' }).click();
      await page.waitForSelector('#flash:has-text("Assigned to FBI (Election crimes duty desk)")');
      await page.waitForSelector('#fields:has-text("Election crimes duty desk")');

      await page.getByLabel('Note *').fill('Asked the counties to post corrections.');
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.waitForSelector('#flash:has-text("Note added")');
      await page.waitForSelector('#timeline li:has-text("Asked the counties to post corrections.")');

      await page.getByLabel('Resolution *').fill('Corrections posted; platforms labelled the posts.');
      await page.getByRole('button', { name: 'Resolve' }).click();
      await page.waitForSelector('#flash:has-text("Resolved")');
      await page.waitForSelector('.status.resolved');
      expect(await page.locator('#act-resolve').count()).toBe(0);
      // Notifications show in the timeline, each described.
      let notified: string[] = [];
      for (let i = 0; i < 30 && !notified.some((t) => /FACEBOOK notified of the acknowledgement/.test(t)); i++) {
        await page.waitForTimeout(300);
        await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
        notified = await page.locator('#timeline li[data-type=notified]').allTextContents();
      }
      expect(notified).toEqual(expect.arrayContaining([expect.stringMatching(/FACEBOOK notified of the acknowledgement/)]));
      await noHorizontalScroll(page);

      await page.getByRole('link', { name: 'Report' }).click();
      await page.waitForSelector('#r-participants-list input');
      await noHorizontalScroll(page);
      await bigEnoughTargets(page);
      await shot(page, `report-${size}`);
    } finally {
      await context.close();
    }

    // The API's own record: every step is Dana Whitfield's, through her token.
    const person = `${url}/local/idp#fbi.responder`;
    const events = (await call('fbi.responder', 'GET', `/v1/incidents/${incident.id}/timeline`)).body.events as Array<{ type: string; actor: { personId?: string; by?: string } }>;
    expect(events.filter((e) => e.actor.personId === person).map((e) => [e.type, e.actor.by])).toEqual([
      ['acknowledged', 'Dana Whitfield'], ['assigned', 'Dana Whitfield'], ['note', 'Dana Whitfield'], ['resolved', 'Dana Whitfield'],
    ]);
    const trail = (await call('fbi.responder', 'GET', `/v1/incidents/${incident.id}/audit`)).body.items as Array<{ action: string; outcome: string; actor: { personId?: string } }>;
    expect(trail.filter((a) => a.actor.personId === person && a.outcome === 'allowed').map((a) => a.action)).toEqual(expect.arrayContaining(['acknowledge', 'assign', 'note', 'resolve']));
  }, 90_000);
});

it('reports through the form: its own checks, the API\'s field errors, and a draft that survives signing in again', async () => {
  const { context, page } = await newPage({ width: 360, height: 740 });
  try {
    await signIn(page, 'fbi.responder', '#/report');
    await page.waitForSelector('#view-report:not([hidden]) #r-participants-list input');
    // AMBER by default, each level explained.
    expect(await page.isChecked('#r-tlp-AMBER')).toBe(true);
    expect(await page.textContent('#r-tlp')).toContain('For the eyes and ears of individual recipients only');
    expect(await page.isDisabled('#r-p-fbi')).toBe(true); // one's own organization always takes part

    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await expect(page.textContent('#r-title-error')).resolves.toContain('Give the incident a title');
    await expect(page.textContent('#r-severity-error')).resolves.toContain('Choose a severity');
    expect(await page.getAttribute('#r-title', 'aria-invalid')).toBe('true');

    await page.getByLabel('Title *').fill('Ransomware note at a county election office');
    await page.getByLabel('Severity *').selectOption('critical');
    await page.getByLabel('Category *').selectOption('ransomware');
    await page.locator('label[for="r-tlp-RED"]').click();
    await page.locator('label[for="r-p-cisa"]').click();
    await page.getByLabel('Links').fill('ftp://files.example/note.txt');
    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await expect(page.textContent('#r-links-error')).resolves.toContain('not an http(s) address');

    // A draft survives a reload (and so a re-sign-in), field by field.
    await page.getByLabel('Links').fill('https://files.example/note.txt ransom note');
    await page.reload();
    await page.waitForSelector('#view-report:not([hidden]) #r-participants-list input');
    expect(await page.inputValue('#r-title')).toBe('Ransomware note at a county election office');
    expect(await page.isChecked('#r-tlp-RED')).toBe(true);
    expect(await page.isChecked('#r-p-cisa')).toBe(true);

    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await page.waitForSelector('#incident-title:has-text("Ransomware note at a county election office")');
    await expect(page.textContent('#flash')).resolves.toContain('Reported');
    await page.waitForSelector('#restricted-banner:has-text("TLP:RED")');
    await page.waitForSelector('#audit li');
    await expect(page.textContent('#viewers')).resolves.toMatch(/Dana Whitfield \(FBI, \w+\) · \d+ reads? · last/);
    // Appearing in a list is counted apart from opening it (a list polls every 15 seconds).
    const incidentUrl = page.url();
    await page.goto(incidentUrl.replace(/#.*/, '#/incidents'));
    await page.locator('#incidents tbody tr', { hasText: 'Ransomware note at a county election office' }).waitFor();
    await page.goto(incidentUrl);
    // The page draws the trail it reads anew (the entry of the list read included).
    await page.waitForFunction(() => /Every entry \((\d+)\)/.exec(document.querySelector('#audit')?.textContent ?? '')?.[1] !== '3');
    await expect(page.textContent('#viewers')).resolves.toMatch(/Dana Whitfield \(FBI, \w+\) · \d+ reads? · in \d+ lists? · last/);

    // The token runs out while a note is being typed: the app signs in again and keeps the note.
    await page.getByLabel('Note *').fill('The note text survives the re-sign-in.');
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('concord-session')!);
      sessionStorage.setItem('concord-session', JSON.stringify({ ...s, expiresAt: Date.now() - 1000 }));
    });
    await page.reload();
    await page.waitForSelector('#incident-title:has-text("Ransomware note at a county election office")');
    expect(await page.inputValue('#note-text')).toBe('The note text survives the re-sign-in.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.waitForSelector('#timeline li:has-text("The note text survives the re-sign-in.")');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  } finally {
    await context.close();
  }
}, 90_000);

it('shows the API\'s field errors next to their fields', async () => {
  const { context, page } = await newPage();
  try {
    await signIn(page, 'fbi.responder', '#/report');
    await page.waitForSelector('#view-report:not([hidden]) #r-participants-list input');
    // A participant the API refuses (as a page open while an organization left the directory
    // would send): the API's `errors` entry lands beside the participants.
    await page.getByLabel('Title *').fill('A report with a participant that no longer exists');
    await page.getByLabel('Severity *').selectOption('low');
    await page.getByLabel('Category *').selectOption('other');
    await page.evaluate(() => { (document.querySelector('#r-p-google') as HTMLInputElement).value = 'gone-org'; });
    await page.locator('label[for="r-p-google"]').click();
    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await page.waitForSelector('#r-participants-error:not(:empty)');
    expect(await page.textContent('#r-participants-error')).toBeTruthy();
    expect(await page.isVisible('#view-report')).toBe(true);
  } finally {
    await context.close();
  }
}, 60_000);

it('a non-participant\'s person gets "not found", exactly as for a missing id, and a partner\'s person sees no metrics', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Only for FBI and CISA', participants: ['fbi', 'cisa'], tlp: 'AMBER+STRICT' });
  const { context, page } = await newPage({ width: 360, height: 740 });
  try {
    await signIn(page, 'microsoft.responder', `#/incidents/${incident.id}`);
    await page.waitForSelector('#view-not-found:not([hidden])');
    const hidden = await page.textContent('#view-not-found');
    expect(await page.textContent('main')).not.toContain('Only for FBI and CISA');
    await page.goto(`${url}/app#/incidents/inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF`);
    await page.waitForSelector('#view-not-found:not([hidden])');
    expect(await page.textContent('#view-not-found')).toBe(hidden);

    expect(await page.isVisible('#nav-metrics')).toBe(false);
    await page.goto(`${url}/app#/metrics`);
    await page.waitForSelector('#metrics-denied:not([hidden])');
    expect(await page.isVisible('#dashboard')).toBe(false);
    expect(await page.locator('canvas').count()).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

it('shows a 409 with the current status and refreshes the page to it', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Resolved elsewhere meanwhile', participants: ['fbi'] });
  const { context, page } = await newPage();
  try {
    await signIn(page, 'fbi.responder', `#/incidents/${incident.id}`);
    await page.waitForSelector(`#incident-title:has-text("${incident.title}")`);
    await page.getByLabel('Resolution *').fill('Resolved in the app, too late.');
    expect((await call('facebook.responder', 'POST', `/v1/incidents/${incident.id}/resolve`, { resolution: 'taken down' })).status).toBe(200);
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.waitForSelector('#flash:has-text("already resolved")');
    await page.waitForSelector('#actions-error:has-text("already resolved")');
    await page.waitForSelector('.status.resolved');
    await expect(page.textContent('#fields')).resolves.toContain('taken down');
    expect(await page.locator('#act-resolve').count()).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

it('asks who it is when someone chooses to sign in, even where the provider still has a session (a shared phone)', async () => {
  const { context, page } = await newPage();
  try {
    await signIn(page, 'fbi.responder');
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Another person, another tab of the same browser: the provider's session is still there.
    const other = await context.newPage();
    await other.goto(`${url}/app`);
    await other.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.waitForURL(/\/local\/idp\/interaction\//);
    await expect(other.getByLabel('Password').isVisible()).resolves.toBe(true);
  } finally {
    await context.close();
  }
}, 60_000);

it('does not loop through the provider when the API refuses its tokens: it says why, and re-signs in after an expiry once only', async () => {
  const { context, page } = await newPage();
  // Every token the provider hands out is one the API refuses (as for an organization that no
  // longer trusts the issuer), while the provider's session lets it hand out more without asking.
  let refuse = false;
  await context.route(`${url}/local/idp/token`, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (refuse) {
      const [h, p, sig] = (body.access_token as string).split('.');
      body.access_token = [h, p, `${sig!.slice(0, 8)}${sig![8] === 'A' ? 'B' : 'A'}${sig!.slice(9)}`].join('.');
    }
    await route.fulfill({ response, json: body });
  });
  const authorizations: string[] = [];
  page.on('request', (r) => { if (r.isNavigationRequest() && new URL(r.url()).pathname === '/local/idp/auth') authorizations.push(r.url()); });
  try {
    refuse = true;
    await page.goto(`${url}/app`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Login').fill('fbi.responder');
    await page.getByLabel('Password').fill(PASSWORDS['fbi.responder']!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('#signed-out:not([hidden])');
    await page.waitForSelector('#oidc-error:has-text("Concord did not accept this sign-in: The token\'s signature does not verify")');
    await page.waitForTimeout(1000); // time enough for another round trip, were there one
    expect(authorizations).toHaveLength(1);
    expect(await page.isVisible('#signed-out')).toBe(true);

    // A token that expired is renewed silently — once. The renewed one is refused too: the person is told.
    refuse = false;
    await signIn(page, 'fbi.responder');
    await page.waitForSelector('#list-status:not(:empty)');
    refuse = true;
    authorizations.length = 0;
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('concord-session')!);
      sessionStorage.setItem('concord-session', JSON.stringify({ ...s, expiresAt: Date.now() - 1000 }));
    });
    await page.reload();
    await page.waitForSelector('#oidc-error:has-text("Concord did not accept this sign-in")');
    await page.waitForTimeout(1000);
    expect(authorizations).toHaveLength(1);
    expect(authorizations[0]).not.toContain('prompt=login'); // the silent renewal rode the provider's session
  } finally {
    await context.close();
  }
}, 60_000);

it('signs a person in from http://127.0.0.1:$PORT/app as from localhost: both loopback names are registered redirect URIs (RFC 8252 §7.3)', async () => {
  const ip = url.replace('//localhost:', '//127.0.0.1:');
  const { context, page } = await newPage();
  try {
    await page.goto(`${ip}/app`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/local\/idp\/interaction\//);
    await page.getByLabel('Login').fill('fbi.responder');
    await page.getByLabel('Password').fill(PASSWORDS['fbi.responder']!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.origin === ip && u.pathname === '/app' && !u.search);
    await page.waitForSelector('#who:has-text("Dana Whitfield")');
    await page.waitForSelector('#list-status:not(:empty)');
    expect(await page.textContent('#list-status')).not.toMatch(/Could not load/);
  } finally {
    await context.close();
  }
}, 60_000);

it('isolates what people wrote from the page\'s own words, so a direction control (U+202E) in it cannot reorder them: names and titles in <bdi>, text over lines dir="auto"', async () => {
  const RLO = '\u202e';
  const incident = await reportAs('facebook.responder', { title: 'Bidi isolation check', participants: ['fbi'], description: `Invoice ${RLO}fdp.exe\nsecond line` });
  const path = `/v1/incidents/${incident.id}`;
  expect((await call('fbi.responder', 'POST', `${path}/acknowledge`, {})).status).toBe(200);
  expect((await call('fbi.responder', 'POST', `${path}/assign`, { orgId: 'fbi', responder: 'Night desk' })).status).toBe(200);
  expect((await call('fbi.responder', 'POST', `${path}/notes`, { text: `Look at ${RLO}gnp.exe` })).status).toBe(201);
  expect((await call('fbi.responder', 'POST', `${path}/resolve`, { resolution: `Removed ${RLO}txt.exe` })).status).toBe(200);
  const { context, page } = await newPage();
  try {
    await signIn(page, 'fbi.responder', `#/incidents/${incident.id}`);
    await page.waitForSelector('#timeline li[data-type=resolved]');
    // Each element holding outside text, as Chromium computes it: an isolate of its own.
    const isolation = (selector: string, text: string) => page.$$eval(selector, (nodes, t) => nodes
      .filter((n) => n.textContent === t)
      .map((n) => ({ tag: n.tagName.toLowerCase(), dir: n.getAttribute('dir'), unicodeBidi: getComputedStyle(n).unicodeBidi })), text);
    const multiLine = { tag: 'span', dir: 'auto', unicodeBidi: 'isolate' };
    const inline = { tag: 'bdi', dir: null, unicodeBidi: 'isolate' };
    expect(await isolation('#incident-title', incident.title)).toEqual([{ tag: 'h1', dir: 'auto', unicodeBidi: 'isolate' }]);
    expect(await isolation('#fields [dir=auto]', `Invoice ${RLO}fdp.exe\nsecond line`)).toEqual([multiLine]);
    expect(await isolation('#fields [dir=auto]', `Removed ${RLO}txt.exe`)).toEqual([multiLine]);
    expect(await isolation('#fields bdi', 'Night desk')).toEqual([inline]);
    expect(await isolation('#participants li[data-org=fbi] bdi', 'Dana Whitfield')).toEqual([inline]);
    expect(await isolation('#timeline li[data-type=note] [dir=auto]', `Look at ${RLO}gnp.exe`)).toEqual([multiLine]);
    expect(await isolation('#timeline li[data-type=resolved] [dir=auto]', `Removed ${RLO}txt.exe`)).toEqual([multiLine]);
    expect(await isolation('#timeline li[data-type=assigned] bdi', 'Night desk')).toEqual([inline]);
    expect(await isolation('#who bdi', 'Dana Whitfield')).toEqual([inline]);
    // As drawn: the closing quote after the note stays to the right of the note, not pulled into it.
    const placed = await page.$eval('#timeline li[data-type=note] [dir=auto]', (note) => {
      const range = document.createRange();
      range.selectNodeContents(note.nextSibling!);
      return { quote: note.nextSibling!.textContent, quoteLeft: range.getBoundingClientRect().left, noteRight: note.getBoundingClientRect().right };
    });
    expect(placed.quote).toBe('”');
    expect(placed.quoteLeft).toBeGreaterThanOrEqual(placed.noteRight - 1);

    await page.goto(`${url}/app#/incidents?status=all`);
    await page.locator(`#incidents tbody tr[data-id="${incident.id}"]`).waitFor();
    expect(await isolation(`#incidents tbody tr[data-id="${incident.id}"] td.title a bdi`, incident.title)).toEqual([inline]);

    // Organizations name themselves (the directory shows every name to everyone): isolated in the report form too,
    // inside the label's one flex item, so the name and its id still read as one line of text.
    await page.goto(`${url}/app#/report`);
    await page.waitForSelector('#r-participants-list input');
    expect(await isolation('label[for="r-p-cisa"] bdi', 'Cybersecurity and Infrastructure Security Agency')).toEqual([inline]);
    expect(await page.$eval('label[for="r-p-cisa"]', (l) => ({ items: l.childNodes.length, text: l.textContent }))).toEqual({ items: 1, text: 'Cybersecurity and Infrastructure Security Agency (CISA)' });
  } finally {
    await context.close();
  }
}, 60_000);

it('is keyboard operable, with a visible focus', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Worked from the keyboard', participants: ['fbi'] });
  const { context, page } = await newPage();
  try {
    await signIn(page, 'fbi.responder');
    await page.locator('#incidents tbody tr', { hasText: incident.title }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const outline = () => page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(await outline()).toBe('solid');
    // A focused TLP label shows its meaning on screen, not only to a mouse's hover (a title attribute).
    const badge = page.locator('#incidents tbody tr', { hasText: incident.title }).locator('.tlp');
    expect(await badge.evaluate((b) => getComputedStyle(b, '::after').content)).toBe('none');
    await badge.focus();
    expect(await badge.evaluate((b) => getComputedStyle(b, '::after').content)).toMatch(/Limited disclosure/);
    // Tab to the incident's link and open it with Enter.
    for (let i = 0; i < 40 && (await page.evaluate(() => document.activeElement?.textContent)) !== incident.title; i++) await page.keyboard.press('Tab');
    expect(await outline()).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#incident-title:has-text("${incident.title}")`);
    for (let i = 0; i < 60 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'Acknowledge'; i++) await page.keyboard.press('Tab');
    expect(await outline()).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#flash:has-text("Acknowledged")');
    // The confirmation takes the focus, so a screen reader reads it and Tab goes on from there.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('flash');
  } finally {
    await context.close();
  }
}, 60_000);

it('updates the list by itself every 15 seconds while visible, and keeps its filters in the URL', async () => {
  const { context, page } = await newPage();
  try {
    await page.clock.install();
    await signIn(page, 'cisa.responder', '#/incidents?severity=critical');
    await page.waitForSelector('#list-status:not(:empty)');
    expect(await page.inputValue('#f-severity')).toBe('critical');
    const later = await reportAs('facebook.responder', { title: 'Appears without a reload', severity: 'critical', participants: ['cisa'] });
    await page.clock.runFor(16_000);
    await page.locator('#incidents tbody tr', { hasText: later.title }).waitFor();
    await page.selectOption('#f-tlp', 'RED');
    await page.waitForURL(/#\/incidents\?severity=critical&tlp=RED$/);
    await page.reload();
    await page.waitForSelector('#list-status:not(:empty)');
    expect(await page.inputValue('#f-tlp')).toBe('RED');
    expect(await page.inputValue('#f-severity')).toBe('critical');
    expect(await page.locator('#incidents tbody tr', { hasText: later.title }).count()).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

/** One poll, as the 15-second timer runs it (a tab becoming visible polls at once); resolves when it is done. */
async function poll(page: Page) {
  const before = Number(await page.evaluate(() => document.documentElement.dataset.polls ?? '0'));
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.waitForFunction((n) => Number(document.documentElement.dataset.polls ?? '0') > n, before);
}

it('polls quietly: the focus stays where the person put it, and what they type is never replaced', async () => {
  const first = await reportAs('facebook.responder', { title: 'Focus stays on this row', participants: ['fbi'] });
  const { context, page } = await newPage();
  try {
    await signIn(page, 'fbi.responder');
    const link = page.locator(`#incidents tbody tr[data-id="${first.id}"] a`);
    await link.focus();
    await page.evaluate(() => { (window as unknown as { focused: Element | null }).focused = document.activeElement; });
    // Nothing changed: the poll leaves the list (and the focused link) alone.
    await poll(page);
    expect(await page.evaluate(() => document.activeElement === (window as unknown as { focused: Element | null }).focused)).toBe(true);
    // Something changed: the new incident appears, and the focus is still on the same incident's link.
    const second = await reportAs('facebook.responder', { title: 'A newer incident arrives meanwhile', participants: ['fbi'] });
    await poll(page);
    await page.locator(`#incidents tbody tr[data-id="${second.id}"]`).waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.id)).toBe(first.id);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('A');

    // On the incident's page, a note being typed keeps its focus and its text when another
    // organization acknowledges meanwhile (the status changes, and with it the actions allowed).
    await link.press('Enter');
    await page.waitForSelector(`#incident-title:has-text("${first.title}")`);
    await page.getByLabel('Note *').fill('Half-written note');
    await page.getByLabel('Note *').focus();
    await page.evaluate(() => { (window as unknown as { focused: Element | null }).focused = document.activeElement; });
    expect((await call('facebook.responder', 'POST', `/v1/incidents/${first.id}/assign`, { orgId: 'facebook' })).status).toBe(200);
    await poll(page);
    await page.waitForSelector('#fields:has-text("FACEBOOK")');
    await page.waitForSelector('.status.assigned');
    expect(await page.evaluate(() => document.activeElement === (window as unknown as { focused: Element | null }).focused)).toBe(true);
    expect(await page.inputValue('#note-text')).toBe('Half-written note');
    await page.waitForSelector('#actions-stale:has-text("changed")');
    await page.keyboard.type(', finished.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.waitForSelector('#timeline li:has-text("Half-written note, finished.")');
    expect(await page.locator('#actions-stale').count()).toBe(0);

    // Resolved elsewhere while a note is being typed: the notice offers to redraw the actions, and
    // after that the focus is at the top of the new actions, not lost to the page.
    await page.getByLabel('Note *').fill('Another note');
    expect((await call('facebook.responder', 'POST', `/v1/incidents/${first.id}/resolve`, { resolution: 'done elsewhere' })).status).toBe(200);
    await poll(page);
    await page.getByRole('button', { name: 'Refresh the actions' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'actions-heading');
  } finally {
    await context.close();
  }
}, 60_000);

it('lists open incidents by asking the API for each open status, so resolved ones never crowd out old open ones', async () => {
  const reported = await reportAs('facebook.responder', { title: 'Open list: reported', participants: ['odni'] });
  const acknowledged = await reportAs('facebook.responder', { title: 'Open list: acknowledged', participants: ['odni'] });
  expect((await call('odni.responder', 'POST', `/v1/incidents/${acknowledged.id}/acknowledge`, {})).status).toBe(200);
  const resolved = await reportAs('facebook.responder', { title: 'Open list: resolved', participants: ['odni'] });
  expect((await call('facebook.responder', 'POST', `/v1/incidents/${resolved.id}/resolve`, { resolution: 'done' })).status).toBe(200);
  const assigned = await reportAs('facebook.responder', { title: 'Open list: assigned', participants: ['odni'] });
  expect((await call('facebook.responder', 'POST', `/v1/incidents/${assigned.id}/assign`, { orgId: 'odni' })).status).toBe(200);
  const { context, page } = await newPage();
  const lists: URL[] = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/v1/incidents') lists.push(u); });
  try {
    await page.goto(`${url}/app`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Login').fill('odni.responder');
    await page.getByLabel('Password').fill('demo-odni-responder');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector(`#incidents tbody tr[data-id="${assigned.id}"]`);
    // Each open status is its own query (the API filters, pages and caps each), none fetches everything.
    expect(lists.map((u) => u.searchParams.get('status')).sort()).toEqual(['acknowledged', 'assigned', 'reported']);
    // Newest first, and no resolved incident.
    expect(await page.$$eval('#incidents tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.id))).toEqual([assigned.id, acknowledged.id, reported.id]);
  } finally {
    await context.close();
  }
}, 60_000);

it('stops polling on "not found" (each poll was a refused read in the audit trail), and leaves the list\'s status line alone when nothing changed', async () => {
  const incident = await reportAs('facebook.responder', { title: 'Not for Microsoft, not even by timer', participants: ['fbi'], tlp: 'AMBER+STRICT' });
  const refused = async () => ((await call('fbi.responder', 'GET', `/v1/incidents/${incident.id}/audit`)).body.items as Array<{ outcome: string; actor: { orgId: string } }>)
    .filter((a) => a.actor.orgId === 'microsoft' && a.outcome === 'denied').length;
  const { context, page } = await newPage();
  try {
    await page.clock.install();
    await signIn(page, 'microsoft.responder', `#/incidents/${incident.id}`);
    await page.waitForSelector('#view-not-found:not([hidden])');
    const before = await refused();
    expect(before).toBeGreaterThan(0);
    await page.clock.runFor(50_000); // three polls' worth
    // Then something that surely comes after them: the list, loaded.
    await page.goto(`${url}/app#/incidents`);
    // Loaded, not loading: "Loading…" is replaced by the list's own line once it arrives.
    await page.waitForFunction(() => !['', 'Loading…'].includes(document.querySelector('#list-status')?.textContent ?? ''));
    expect(await refused()).toBe(before);

    // A poll that finds the same list does not rewrite (and so re-announce) its status line.
    await page.evaluate(() => {
      const w = window as unknown as { statusChanges: number };
      w.statusChanges = 0;
      new MutationObserver(() => { w.statusChanges += 1; }).observe(document.querySelector('#list-status')!, { childList: true, characterData: true, subtree: true });
    });
    await poll(page);
    await poll(page);
    expect(await page.evaluate(() => (window as unknown as { statusChanges: number }).statusChanges)).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

it('gives a manager the metrics views, signed in as a person', async () => {
  const { context, page } = await newPage({ width: 360, height: 740 });
  try {
    await signIn(page, 'cisa.manager');
    await page.getByRole('link', { name: 'Metrics' }).click();
    for (const chart of ['#chart-tta', '#chart-ttr', '#chart-org']) await page.waitForSelector(`${chart} canvas`);
    await noHorizontalScroll(page);
    await shot(page, 'metrics-phone');
  } finally {
    await context.close();
  }
}, 60_000);

it('has no serious or critical accessibility violation on any screen, signed in and out', async () => {
  const restricted = await reportAs('facebook.responder', { title: 'Accessibility check, restricted', participants: ['fbi'], tlp: 'RED' });
  for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
    // bypassCSP only so that axe can be injected; the other tests run under the app's CSP.
    const { context, page } = await newPage(viewport, { bypassCSP: true });
    try {
      await page.goto(`${url}/app`);
      await page.waitForSelector('#signed-out:not([hidden])');
      await axe(page, 'signed out');
      await page.click('#key-sign-in summary');
      await axe(page, 'signed out, key form open');
      await signIn(page, 'fbi.responder');
      await page.waitForSelector('#incidents tbody tr');
      await axe(page, 'list');
      await page.goto(`${url}/app#/incidents/${restricted.id}`);
      await page.waitForSelector('#audit li');
      await axe(page, 'incident');
      await page.goto(`${url}/app#/report`);
      await page.waitForSelector('#r-participants-list input');
      await page.getByRole('button', { name: 'Report', exact: true }).click();
      await page.waitForSelector('#r-title-error:not(:empty)');
      await axe(page, 'report form with errors');
      await page.goto(`${url}/app#/incidents/inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF`);
      await page.waitForSelector('#view-not-found:not([hidden])');
      await axe(page, 'not found');
      await page.click('#sign-out');
      await page.waitForSelector('#signed-out:not([hidden])');
      await signIn(page, 'cisa.manager', '#/metrics');
      await page.waitForSelector('#chart-org canvas');
      await axe(page, 'metrics');
    } finally {
      await context.close();
    }
  }
}, 120_000);
