/** Signed acknowledgement links are compared as the exact text issued (a red team's finding). */
import { makeAckTokens } from '../../lambdas/domain/ack-tokens';

const clock = { now: () => new Date('2026-11-03T12:00:00.000Z') };
const tokens = makeAckTokens('s'.repeat(40), clock);

it('accepts the token it issued and refuses every alteration of its signature text', () => {
  const token = tokens.sign('inc_01M899CQ51KBW81DJ4QTE6713E', 'fbi', 'Duty officer');
  expect(tokens.verify(token)).toMatchObject({ orgId: 'fbi', contact: 'Duty officer' });
  const [payload, signature] = token.split('.') as [string, string];
  const last = signature.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const flips = [0, 1, 2].map((bit) => alphabet[alphabet.indexOf(last) ^ (1 << bit)]!);
  const altered = [
    ...flips.map((c) => `${payload}.${signature.slice(0, -1)}${c}`),
    `${payload}.${signature}=`, `${payload}.${signature.slice(0, 5)}!${signature.slice(5)}`,
    `${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`, `${payload}=.${signature}`,
  ].filter((t) => t !== token);
  for (const t of altered) expect(() => tokens.verify(t)).toThrow(/not valid/);
});
