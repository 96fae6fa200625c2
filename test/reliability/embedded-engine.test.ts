/**
 * The embedded DynamoDB Local is unauthenticated: it must listen on loopback only, and its files
 * (RED incidents, key hashes) must be readable by this user only.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedEngine } from '../../local/dynamodb-local';
import { ensureTable } from '../../local/table';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Local addresses listening on `port`, from the kernel's own tables (hex, as /proc shows them). */
function listenersOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1)
    .map((line) => line.trim().split(/\s+/))
    // field 1 is local address:port, field 3 the state (0A = LISTEN)
    .filter((f) => f.length > 3 && f[3] === '0A' && f[1]!.endsWith(`:${hexPort}`))
    .map((f) => f[1]!.split(':')[0]!));
}

const LOOPBACK = new Set([
  '0100007F', // 127.0.0.1
  '00000000000000000000000001000000', // ::1
  '0000000000000000FFFF00000100007F', // ::ffff:127.0.0.1
]);

const root = mkdtempSync(join(tmpdir(), 'concord-engine-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('listens on the loopback interface only and keeps its files private (0700 folder, 0600 files)', async () => {
  const dataDir = join(root, 'data');
  const engine = await startEmbeddedEngine(dataDir);
  try {
    const port = Number(new URL(engine.endpoint).port);
    const listeners = listenersOn(port);
    expect(listeners.length).toBeGreaterThan(0);
    expect(listeners.filter((address) => !LOOPBACK.has(address))).toEqual([]);

    const client = new DynamoDBClient({ endpoint: engine.endpoint });
    await ensureTable(client, 'engine-test');
    client.destroy();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) expect({ name, mode: statSync(join(dataDir, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
  } finally {
    await engine.stop();
  }
}, 60_000);

it('makes an existing, world-readable data folder private before the engine opens it', async () => {
  const dataDir = join(root, 'older');
  const engine = await startEmbeddedEngine(dataDir);
  await engine.stop();
  const [db] = readdirSync(dataDir);
  const { chmodSync } = await import('node:fs');
  chmodSync(dataDir, 0o755);
  chmodSync(join(dataDir, db!), 0o644);
  writeFileSync(join(dataDir, 'stray'), 'x', { mode: 0o644 });
  const again = await startEmbeddedEngine(dataDir);
  await again.stop();
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(statSync(join(dataDir, db!)).mode & 0o777).toBe(0o600);
  expect(statSync(join(dataDir, 'stray')).mode & 0o777).toBe(0o600);
}, 60_000);
