/**
 * `npm start` in a child process and Debian's Chromium beside it, for the app's browser tests: the
 * only way to have the embedded OpenID provider (oidc-provider is ESM only, so the in-process
 * harness cannot run it).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CONCORD_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');

export interface AppHost { url: string; browser: Browser; stop(): Promise<void> }

/** Starts the local service on a free port (in memory) and a headless Chromium; `stop` ends both. */
export async function startAppHost(): Promise<AppHost> {
  if (!existsSync(CHROMIUM)) throw new Error(`The app test needs Chromium at ${CHROMIUM}: apt-get install chromium.`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: ROOT, env: { ...process.env, PORT: '0', CONCORD_DATA_DIR: ':memory:' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => { output += c; });
  child.stderr!.on('data', (c) => { output += c; });
  const started = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (m && output.includes('OpenAPI:')) { clearInterval(timer); resolve(m[1]!); }
    }, 50);
    child.once('exit', (code) => { clearInterval(timer); reject(new Error(`npm start exited ${code}:\n${output}`)); });
  });
  const [url, browser] = await Promise.all([started, chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })]);
  return {
    url,
    browser,
    async stop() {
      await browser.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
    },
  };
}
