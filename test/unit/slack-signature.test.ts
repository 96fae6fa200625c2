/**
 * Slack's `v0` request signature (integrations/slack.ts): HMAC-SHA256 of `v0:<timestamp>:<raw body>`
 * with the signing secret, the timestamp within 5 minutes, compared in constant time. Every way a
 * request can be wrong is refused; test/e2e/chat.test.ts sends the same table through the server
 * (401, nothing changed).
 */
import { createHmac } from 'node:crypto';
import { SIGNATURE_WINDOW_SECONDS, parseCommand, parseInteraction, signSlackRequest, verifySlackSignature } from '../../lambdas/integrations/slack';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_531_420_618;
const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&user_name=roadrunner&command=%2Fconcord&text=ack%204821';
const sign = (b: string, at: number, s = secret) => signSlackRequest(s, at, b);
const headers = (over: Record<string, string | undefined> = {}) => ({ 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(body, now), ...over });

it('accepts Slack\'s own documented example (signing secret, timestamp and body from api.slack.com)', () => {
  // https://api.slack.com/authentication/verifying-requests-from-slack: the example and its signature.
  const example = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  expect(verifySlackSignature({
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    headers: { 'X-Slack-Request-Timestamp': '1531420618', 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' },
    body: example, nowSeconds: 1531420618,
  })).toBe(true);
});

it('accepts a signed request at any time within 5 minutes either side, whatever the header names\' case', () => {
  for (const skew of [-SIGNATURE_WINDOW_SECONDS, -1, 0, 1, SIGNATURE_WINDOW_SECONDS]) {
    expect(verifySlackSignature({ secret, headers: { 'X-SLACK-REQUEST-TIMESTAMP': String(now), 'X-Slack-Signature': sign(body, now) }, body, nowSeconds: now + skew })).toBe(true);
  }
});

const other = body.replace('ack%204821', 'ack%209999');
const refused: Array<[string, Record<string, string | undefined>, string, number]> = [
  ['no signature header', headers({ 'x-slack-signature': undefined }), body, now],
  ['no timestamp header', headers({ 'x-slack-request-timestamp': undefined }), body, now],
  ['neither header', { 'content-type': 'application/x-www-form-urlencoded' }, body, now],
  ['an empty signature', headers({ 'x-slack-signature': '' }), body, now],
  ['a signature made with another secret (forged)', headers({ 'x-slack-signature': sign(body, now, 'another-signing-secret-000000000') }), body, now],
  ['a signature of another body, replayed with this one', headers({ 'x-slack-signature': sign(other, now) }), body, now],
  ['this signature replayed with another body', headers(), other, now],
  ['the body with a byte appended', headers(), `${body}&`, now],
  ['a signature for another timestamp', headers({ 'x-slack-signature': sign(body, now - 1) }), body, now],
  ['stale: 5 minutes and 1 second old', headers(), body, now + SIGNATURE_WINDOW_SECONDS + 1],
  ['from the future: 5 minutes and 1 second ahead', headers(), body, now - SIGNATURE_WINDOW_SECONDS - 1],
  ['a timestamp that is not a number', headers({ 'x-slack-request-timestamp': '1531420618.5' }), body, now],
  ['a v1 signature', headers({ 'x-slack-signature': sign(body, now).replace('v0=', 'v1=') }), body, now],
  ['the right digest in upper case', headers({ 'x-slack-signature': `v0=${sign(body, now).slice(3).toUpperCase()}` }), body, now],
  ['the digest cut short', headers({ 'x-slack-signature': sign(body, now).slice(0, 40) }), body, now],
  ['SHA-1 instead of SHA-256', headers({ 'x-slack-signature': `v0=${createHmac('sha1', secret).update(`v0:${now}:${body}`).digest('hex')}` }), body, now],
];

it.each(refused)('refuses %s', (_what, h, b, at) => {
  expect(verifySlackSignature({ secret, headers: h, body: b, nowSeconds: at })).toBe(false);
});

it('refuses everything when the organization has no signing secret', () => {
  expect(verifySlackSignature({ secret: '', headers: { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(body, now, '') }, body, nowSeconds: now })).toBe(false);
});

describe('what a verified request asks for', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields);
  it('reads `/concord ack <code>` (spaces inside the code too), `/concord open`, and anything else as help', () => {
    expect(parseCommand(form({ team_id: 'T1', user_name: 'roadrunner', text: 'ack 4821' }))).toEqual({ kind: 'ack-code', code: '4821', team: 'T1', user: 'roadrunner' });
    expect(parseCommand(form({ team_id: 'T1', user_name: 'r', text: '  ACK 48 21 ' }))).toMatchObject({ kind: 'ack-code', code: '4821' });
    expect(parseCommand(form({ team_id: 'T1', user_name: 'r', text: 'open' }))).toMatchObject({ kind: 'open' });
    for (const text of ['', 'ack', 'ack abc', 'ack 12', 'open now', 'resolve 4821']) expect(parseCommand(form({ team_id: 'T1', user_name: 'r', text }))).toMatchObject({ kind: 'help' });
  });

  it('reads the Acknowledge button of a block_actions payload; a name with bidirectional controls is cleaned for `by`', () => {
    const payload = { type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1', username: 'wile', name: 'wile.e\u202e' }, actions: [{ action_id: 'concord_ack', value: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF' }] };
    expect(parseInteraction(form({ payload: JSON.stringify(payload) }))).toEqual({ kind: 'ack-incident', incidentId: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF', team: 'T1', user: 'wile.e' });
    expect(parseInteraction(form({ payload: '{not json' }))).toMatchObject({ kind: 'help' });
    // Any JSON that is not an object is help too (red team: `payload=null` was a 500).
    for (const other of ['null', '1', '"x"', '[]', 'true']) expect(parseInteraction(form({ payload: other }))).toMatchObject({ kind: 'help' });
    expect(parseInteraction(form({ payload: JSON.stringify({ ...payload, actions: [{ action_id: 'concord_ack', value: '../etc' }] }) }))).toMatchObject({ kind: 'help' });
  });
});
