/**
 * `npm start` as a new user runs it: the embedded engine starts, the demo directory loads, the
 * printed curl works, data survives a restart, and Ctrl-C leaves no Java process behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signSlackRequest } from '../../lambdas/integrations/slack';

const root = join(__dirname, '..', '..');
const dataRoot = mkdtempSync(join(tmpdir(), 'concord-start-'));
const dataDir = join(dataRoot, 'data');
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

function javaProcessesFor(dir: string): number {
  try {
    return execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.*${dir}`]).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

async function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  // Exactly what `npm start` runs.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: root, env: { ...process.env, PORT: '0', CONCORD_DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => { output += c; });
  child.stderr!.on('data', (c) => { output += c; });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (m) { clearInterval(timer); resolve(m[1]!); }
    }, 50);
    child.once('exit', (code) => { clearInterval(timer); reject(new Error(`npm start exited ${code}:\n${output}`)); });
  });
  return { child, url, output: () => output };
}

async function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

it('starts, serves the demo directory, keeps data across restarts and stops cleanly on Ctrl-C', async () => {
  const first = await start({});
  expect(first.output()).toContain('demo-facebook-partner-');
  expect(first.output()).toContain('curl -s');
  // Slack: the signing secret every organization shares locally is generated and printed, and verifies; the Web API stand-in answers.
  const slackSecret = /Slack signing secret of every organization .*: ([0-9a-f]{48})/.exec(first.output())![1]!;
  expect(await (await fetch(`${first.url}/local/slack/calls`)).json()).toEqual({ calls: [] });
  const slackBody = 'team_id=T0CISA&user_name=roadrunner&command=%2Fconcord&text=open';
  const slackAt = Math.floor(Date.now() / 1000);
  const slackAnswer = await fetch(`${first.url}/v1/integrations/slack/cisa/commands`, {
    method: 'POST', body: slackBody,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(slackAt), 'x-slack-signature': signSlackRequest(slackSecret, slackAt, slackBody) },
  });
  expect(slackAnswer.status).toBe(200);
  expect(((await slackAnswer.json()) as { text: string }).text).toContain('this Slack workspace is not connected to Cybersecurity and Infrastructure Security Agency');
  const key = /facebook\s+partner\s+(\S+)/.exec(first.output())![1]!;
  const created = await fetch(`${first.url}/v1/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Coordinated false claims about polling place closures', severity: 'critical', category: 'misinformation', participants: ['fbi', 'cisa'] }),
  });
  expect(created.status).toBe(201);
  const { id } = await created.json() as { id: string };
  // What an admin changes through the API must survive a restart: a revoked key, new contacts.
  const admin = { authorization: `Bearer ${/cisa\s+admin\s+(\S+)/.exec(first.output())![1]!}`, 'content-type': 'application/json' };
  const odniKey = /odni\s+partner\s+(\S+)/.exec(first.output())![1]!;
  const odniKeys = await (await fetch(`${first.url}/v1/organizations/odni/keys`, { headers: admin })).json() as { items: Array<{ keyId: string }> };
  expect(odniKeys.items).toHaveLength(1);
  expect((await fetch(`${first.url}/v1/keys/${odniKeys.items[0]!.keyId}`, { method: 'DELETE', headers: admin })).status).toBe(204);
  // CISA's admin changes CISA's own contacts (another organization's entry is its own admin's).
  // The demo's watch rotation and escalation policy name three of them: those stay (removing one is a 400).
  const named = [
    { id: 'ei-isac-watch-desk', name: 'EI-ISAC watch desk', email: 'watch@cisa.example', phone: '+12025550121', red: true },
    { id: 'election-security-manager', name: 'Election security manager', email: 'election-lead@cisa.example' },
    { id: 'priya-raman', name: 'Priya Raman', email: 'priya.raman@cisa.example', timeZone: 'America/New_York' },
  ];
  const contacts = [...named, { name: 'New duty desk', email: 'desk@cisa.example' }];
  expect((await fetch(`${first.url}/v1/organizations/cisa`, { method: 'PUT', headers: admin, body: JSON.stringify({ name: 'CISA', kind: 'agency', contacts: contacts.slice(1) }) })).status).toBe(400);
  expect((await fetch(`${first.url}/v1/organizations/cisa`, { method: 'PUT', headers: admin, body: JSON.stringify({ name: 'CISA', kind: 'agency', contacts }) })).status).toBe(200);
  expect(javaProcessesFor(dataDir)).toBe(1);
  expect(await interrupt(first.child)).toBe(0);
  expect(javaProcessesFor(dataDir)).toBe(0);

  const second = await start({});
  expect(second.output()).toContain('already there');
  const again = await fetch(`${second.url}/v1/incidents/${id}`, { headers: { authorization: `Bearer ${key}` } });
  expect(again.status).toBe(200);
  expect((await fetch(`${second.url}/v1/incidents`, { headers: { authorization: `Bearer ${odniKey}` } })).status).toBe(401);
  const orgs = await (await fetch(`${second.url}/v1/organizations`, { headers: admin })).json() as { items: Array<{ id: string; name: string; contacts: unknown[] }> };
  expect(orgs.items.find((o) => o.id === 'cisa')).toMatchObject({ name: 'CISA', contacts: expect.arrayContaining([expect.objectContaining({ name: 'New duty desk', email: 'desk@cisa.example', phone: null })]) });
  expect(second.output()).toMatch(/kept as changed through the API.*cisa/);
  expect(second.output()).toMatch(/not revived.*key_/);
  expect(await interrupt(second.child)).toBe(0);
  expect(javaProcessesFor(dataDir)).toBe(0);
}, 120_000);

function serverPidsFor(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', '^\\S*node --import tsx local/main.ts']).toString().trim().split('\n').filter(Boolean)
      .filter((pid) => { try { return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`CONCORD_DATA_DIR=${dir}`); } catch { return false; } });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
const serverProcessesFor = (dir: string) => serverPidsFor(dir).length;

it('stops node and Java when the npm process itself is sent SIGTERM', async () => {
  const dir = join(dataRoot, 'npm-term');
  // The real `npm start`, as a process manager or `kill` would signal it.
  const npm = spawn('npm', ['start'], { cwd: root, env: { ...process.env, PORT: '0', CONCORD_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout!.on('data', (c) => { output += c; });
  npm.stderr!.on('data', (c) => { output += c; });
  const deadline = Date.now() + 60_000;
  while (!/listening on http/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(output).toMatch(/listening on http/);
  expect(javaProcessesFor(dir)).toBe(1);
  expect(serverProcessesFor(dir)).toBe(1);
  npm.kill('SIGTERM');
  const stopBy = Date.now() + 15_000;
  while ((javaProcessesFor(dir) > 0 || serverProcessesFor(dir) > 0) && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 200));
  const left = { java: javaProcessesFor(dir), node: serverProcessesFor(dir) };
  // Whatever the outcome, leave nothing running for the next test (Java dies with its server).
  for (const pid of serverPidsFor(dir)) process.kill(Number(pid), 'SIGKILL');
  expect(left).toEqual({ java: 0, node: 0 });
}, 90_000);

it('leaves no Java process behind even when killed outright', async () => {
  const dir = join(dataRoot, 'killed');
  const running = await start({ CONCORD_DATA_DIR: dir });
  expect(javaProcessesFor(dir)).toBe(1);
  running.child.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (javaProcessesFor(dir) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(javaProcessesFor(dir)).toBe(0);
}, 60_000);

it('refuses an invalid directory file with a message naming the problem', async () => {
  const bad = join(dataRoot, 'bad-directory.json');
  writeFileSync(bad, JSON.stringify({ organizations: [{ id: 'X!', name: 'x', kind: 'agency', contacts: [], keys: [{ role: 'partner', key: 'short' }] }] }));
  await expect(start({ CONCORD_DIRECTORY: bad, CONCORD_DATA_DIR: ':memory:' })).rejects.toThrow(/organizations\.0\.id[\s\S]*organizations\.0\.keys\.0\.key/);
}, 60_000);
