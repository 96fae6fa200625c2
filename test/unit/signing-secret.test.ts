/** The local signing secret lives in the private data folder, and a planted one is refused (a red team's finding). */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingSecret } from '../../local/start';

const root = mkdtempSync(join(tmpdir(), 'concord-secret-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('makes the secret inside the data folder, 0600 in 0700, and reads the same one again', () => {
  const dataDir = join(root, 'a', 'data');
  const secret = signingSecret(dataDir);
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  expect(statSync(join(dataDir, 'signing-secret')).mode & 0o777).toBe(0o600);
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(signingSecret(dataDir)).toBe(secret);
});

it('refuses a secret file others could have written or can read', () => {
  const dataDir = join(root, 'b', 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'signing-secret'), 'attacker-chosen-secret-0123456789abcdef', { mode: 0o644 });
  chmodSync(join(dataDir, 'signing-secret'), 0o644);
  // makePrivateDir tightens existing files first; a file planted world-readable beside is ignored.
  const legacy = join(root, 'c');
  mkdirSync(join(legacy, 'data'), { recursive: true });
  writeFileSync(join(legacy, 'signing-secret'), 'attacker-chosen-secret-0123456789abcdef', { mode: 0o644 });
  chmodSync(join(legacy, 'signing-secret'), 0o644);
  const made = signingSecret(join(legacy, 'data'));
  expect(made).not.toBe('attacker-chosen-secret-0123456789abcdef');
  expect(readFileSync(join(legacy, 'data', 'signing-secret'), 'utf8')).toBe(made);
});
