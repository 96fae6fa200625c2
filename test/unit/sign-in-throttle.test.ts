/**
 * The local sign-in page's throttle (issue #22, item 4: 50 guesses took 0.1 s): failures lock a
 * login, and a client, out for a time that grows with each further failure. Driven by an injected
 * clock: no test waits.
 */
import { SignInThrottle } from '../../local/sign-in-throttle';

const clock = () => {
  let t = Date.parse('2026-12-05T12:00:00Z');
  return { now: () => t, advance: (ms: number) => { t += ms; } };
};

it('4R: lets four wrong passwords through, and locks the login out at the fifth, whatever the client', () => {
  const c = clock();
  const throttle = new SignInThrottle({ now: c.now });
  for (let i = 0; i < 4; i++) {
    expect(throttle.retryAfter('dana', `10.0.0.${i}`)).toBe(0);
    throttle.failed('dana', `10.0.0.${i}`);
  }
  expect(throttle.retryAfter('dana', '10.0.0.9')).toBe(0);
  throttle.failed('dana', '10.0.0.9');
  expect(throttle.retryAfter('dana', '10.0.0.10')).toBe(30);
  // Another login from the same client is not locked by dana's failures.
  expect(throttle.retryAfter('lee', '10.0.0.9')).toBe(0);
});

it('4R: the lock-out grows with every failure past the limit (doubling, at most 15 minutes), and ends when it has passed', () => {
  const c = clock();
  const throttle = new SignInThrottle({ now: c.now });
  for (let i = 0; i < 5; i++) throttle.failed('dana', 'a');
  const waits = [throttle.retryAfter('dana', 'a')];
  for (let i = 0; i < 6; i++) { throttle.failed('dana', 'a'); waits.push(throttle.retryAfter('dana', 'a')); }
  expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900]);
  c.advance(899_000);
  expect(throttle.retryAfter('dana', 'a')).toBe(1);
  c.advance(1_000);
  expect(throttle.retryAfter('dana', 'a')).toBe(0);
});

it('4R: locks a client out after 20 failures over any logins (guessing many logins, one password each)', () => {
  const c = clock();
  const throttle = new SignInThrottle({ now: c.now });
  for (let i = 0; i < 19; i++) throttle.failed(`user${i}`, '192.0.2.1');
  expect(throttle.retryAfter('someone-else', '192.0.2.1')).toBe(0);
  throttle.failed('user19', '192.0.2.1');
  expect(throttle.retryAfter('someone-else', '192.0.2.1')).toBe(30);
  expect(throttle.retryAfter('someone-else', '192.0.2.2')).toBe(0);
});

it('4R: forgets failures older than 15 minutes, and a login\'s own failures once it signs in', () => {
  const c = clock();
  const throttle = new SignInThrottle({ now: c.now });
  for (let i = 0; i < 4; i++) throttle.failed('dana', 'a');
  c.advance(15 * 60_000 + 1);
  throttle.failed('dana', 'a');
  expect(throttle.retryAfter('dana', 'a')).toBe(0);
  for (let i = 0; i < 3; i++) throttle.failed('dana', 'a');
  throttle.succeeded('dana');
  throttle.failed('dana', 'a');
  expect(throttle.retryAfter('dana', 'a')).toBe(0);
});

it('keeps a bounded number of entries, however many logins are tried', () => {
  const throttle = new SignInThrottle({ now: clock().now, maxEntries: 100 });
  for (let i = 0; i < 1000; i++) throttle.failed(`user${i}`, `client${i}`);
  expect(throttle.size).toBeLessThanOrEqual(100);
});
