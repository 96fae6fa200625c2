/**
 * What the third outside review sent the local server as raw HTTP (issue #22, item 6): two
 * Authorization headers, encoded dot segments, a Content-Length that promises more than comes.
 * Each request is written byte for byte on a socket, as no HTTP client would send it.
 */
import { connect } from 'node:net';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';
import { tableSnapshot } from '../support/table-snapshot';

let api: TestApi;
let port: number;

beforeAll(async () => {
  api = await startTestApi();
  port = Number(new URL(api.url).port);
});
afterAll(() => api.stop());

interface RawAnswer { status: number; head: string; body: string; closed: boolean }

/**
 * Writes `request` as is and reads the answer: its status line, headers and body (by its
 * content-length), or whatever came before the server closed the socket.
 */
function raw(request: string, { waitMs = 20_000 } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer within ${waitMs} ms`)); }, waitMs);
    const parsed = (closed: boolean): RawAnswer | null => {
      const text = data.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return closed ? { status: 0, head: text, body: '', closed } : null;
      const head = text.slice(0, end);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = data.subarray(Buffer.byteLength(text.slice(0, end + 4))).toString('utf8');
      if (!closed && !(Number.isFinite(length) && Buffer.byteLength(body) >= length)) return null;
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body, closed };
    };
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const answer = parsed(false);
      if (answer) { clearTimeout(timer); socket.destroy(); resolve(answer); }
    });
    socket.on('close', () => { clearTimeout(timer); resolve(parsed(true) ?? { status: 0, head: '', body: '', closed: true }); });
    socket.on('error', () => {});
    socket.write(request);
  });
}

const host = () => `Host: 127.0.0.1:${port}`;

describe('two Authorization headers', () => {
  it('6R: are 400 naming the header, whichever of them is valid, and change nothing', async () => {
    const before = await tableSnapshot(api.tableName);
    const body = JSON.stringify(report());
    for (const [first, second] of [[KEYS.partner.fbi, 'not-a-key-anybody-has-0000000'], ['not-a-key-anybody-has-0000000', KEYS.partner.fbi], [KEYS.partner.fbi, KEYS.partner.google]]) {
      const answer = await raw(`POST /v1/incidents HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${first}\r\nContent-Type: application/json\r\nauthorization: Bearer ${second}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      expect(answer.status).toBe(400);
      expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(answer.body).errors).toEqual([{ path: 'Authorization', message: expect.stringMatching(/2 times/) }]);
    }
    expect(await tableSnapshot(api.tableName)).toEqual(before);
  });

  it('6R: one header still works (the same request, once)', async () => {
    const answer = await raw(`GET /v1/incidents HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${KEYS.partner.fbi}\r\nConnection: close\r\n\r\n`);
    expect(answer.status).toBe(200);
  });
});

describe('the raw path is routed, as API Gateway routes it', () => {
  it('6R: encoded dot segments never reach another route: a POST under an incident does not report one', async () => {
    const before = await tableSnapshot(api.tableName);
    const body = JSON.stringify(report());
    for (const path of ['/v1/incidents/inc_x/%2e%2e/%2E%2E/incidents', '/v1/incidents/inc_x/%2e./%2e%2e/incidents', '/v1/incidents/inc_x/../../incidents']) {
      const answer = await raw(`POST ${path} HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${KEYS.partner.fbi}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
    }
    expect(await tableSnapshot(api.tableName)).toEqual(before);
  });

  it('6R: nor reads: /v1/keys/%2e%2e/directory is not /v1/directory, /local/%2e%2e/local/outbox is not the outbox', async () => {
    for (const path of ['/v1/keys/%2e%2e/directory', '/v1/organizations/fbi/keys/%2e%2e/%2e%2e/%2e%2e/directory', '/local/x/%2e%2e/outbox']) {
      const answer = await raw(`GET ${path} HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${KEYS.admin}\r\nConnection: close\r\n\r\n`);
      expect([path, answer.status]).toEqual([path, 404]);
    }
    // A dot segment as a path parameter is that parameter: nothing there.
    const incident = await raw(`GET /v1/incidents/%2e%2e HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${KEYS.partner.fbi}\r\nConnection: close\r\n\r\n`);
    expect(incident.status).toBe(404);
    // The plain paths still answer.
    expect((await raw(`GET /v1/directory HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${KEYS.admin}\r\nConnection: close\r\n\r\n`)).status).toBe(200);
    expect((await raw(`GET /local/outbox?x=1 HTTP/1.1\r\n${host()}\r\nConnection: close\r\n\r\n`)).status).toBe(200);
  });
});

describe('a Content-Length that promises more than comes', () => {
  it('6R: is answered 408 and the connection closed after a few seconds of silence, not held until Node\'s own timeout', async () => {
    const before = await tableSnapshot(api.tableName);
    const body = JSON.stringify(report());
    // Promises 100 bytes more than it sends, then waits with the socket open.
    const answer = await raw(`POST /v1/incidents HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${KEYS.partner.fbi}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body) + 100}\r\n\r\n${body}`, { waitMs: 40_000 });
    expect(answer.status).toBe(408);
    expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
    expect(answer.head).toMatch(/connection: close/i);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 408, detail: expect.stringMatching(/body/) });
    expect(await tableSnapshot(api.tableName)).toEqual(before);
  }, 60_000);

  it('6R: the same with a public route and a chunked body that stops half-way', async () => {
    const answer = await raw(`POST /v2/enqueue HTTP/1.1\r\n${host()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n`, { waitMs: 40_000 });
    expect(answer.status).toBe(408);
  }, 60_000);
});
