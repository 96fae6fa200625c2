/**
 * In AWS, a DynamoDB connection that goes silent (a socket lost on the way) is given up after a
 * bounded time and the request tried again on a new connection: without a request timeout the SDK
 * waits on it until the function itself times out. Here DynamoDB is a server that accepts
 * connections and never answers, reached the way the SDK is pointed anywhere
 * (`AWS_ENDPOINT_URL_DYNAMODB`), so the adapters are built as in AWS (no local endpoint).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { buildAdapters, DYNAMODB_ATTEMPT_TIMEOUTS } from '../../lambdas/wiring/adapters';
import { readConfig } from '../../lambdas/config/env';
import { isUnavailable } from '../../lambdas/adapters/dynamodb/errors';

let server: Server;
const sockets: Socket[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((socket) => { sockets.push(socket); });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIATEST0000000000', AWS_SECRET_ACCESS_KEY: 'test-secret',
  });
});

afterAll(async () => {
  process.env = saved;
  for (const s of sockets) s.destroy();
  await new Promise<void>((done) => server.close(() => done()));
});

it('a request DynamoDB never answers fails with a timeout after each attempt, instead of hanging until the function times out', async () => {
  const { db } = buildAdapters(readConfig({ CONCORD_TABLE_NAME: 'concord-test' }));
  const outcome = await Promise.race([
    db.send(new GetCommand({ TableName: 'concord-test', Key: { PK: 'ORG#cisa', SK: 'ORG' } })).then(() => 'answered', (err: Error) => {
      // What the adapters answer a store that did not answer in time: 503 with Retry-After.
      expect(isUnavailable(err)).toBe(true);
      return err.name;
    }),
    new Promise((done) => setTimeout(() => done('still waiting'), 30_000)),
  ]);
  expect(outcome).toBe('TimeoutError');
  // One connection per attempt: each silent one was given up and the request sent again.
  expect(sockets.length).toBeGreaterThanOrEqual(3);
  // The SDK's three attempts leave room in an HTTP function's 10 s, so it answers 503, not the gateway a timeout.
  expect(3 * DYNAMODB_ATTEMPT_TIMEOUTS.requestTimeout).toBeLessThanOrEqual(5_000);
}, 40_000);
