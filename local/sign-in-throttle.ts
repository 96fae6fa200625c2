/**
 * The local sign-in page's throttle: wrong passwords lock a login out, and a client (its address),
 * for a time that grows with every further failure, so guessing costs time (issue #22, item 4:
 * 50 guesses took 0.1 s). In memory, bounded; the clock is injected so tests need not wait.
 */
export interface SignInThrottleOptions {
  now?: () => number;
  /** Failures of one login within the window before it is locked out. */
  loginLimit?: number;
  /** Failures from one client, over any logins, within the window before it is locked out. */
  clientLimit?: number;
  windowMs?: number;
  /** The first lock-out; each further failure doubles it, up to maxLockMs. */
  baseLockMs?: number;
  maxLockMs?: number;
  /** Logins and clients remembered at most (the oldest are forgotten first). */
  maxEntries?: number;
}

export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly loginLimit: number;
  private readonly clientLimit: number;
  private readonly windowMs: number;
  private readonly baseLockMs: number;
  private readonly maxLockMs: number;
  private readonly maxEntries: number;

  constructor(options: SignInThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
    this.loginLimit = options.loginLimit ?? 5;
    this.clientLimit = options.clientLimit ?? 20;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.baseLockMs = options.baseLockMs ?? 30_000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get size(): number { return this.failures.size; }

  /** Seconds until this login may try again from this client; 0 when it may now. */
  retryAfter(login: string, client: string): number {
    const wait = Math.max(this.lockedFor(`login:${login}`, this.loginLimit), this.lockedFor(`client:${client}`, this.clientLimit));
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /** A wrong password (or an attempt while locked out): counted for the login and for the client. */
  failed(login: string, client: string): void {
    for (const key of [`login:${login}`, `client:${client}`]) {
      const times = this.recent(key);
      times.push(this.now());
      // Past the limit, only the count matters, and it doubles the lock each time: a few dozen suffice.
      if (times.length > 64) times.splice(0, times.length - 64);
      // Re-inserted, so the map's order is the order of last use: the oldest go first.
      this.failures.delete(key);
      this.failures.set(key, times);
    }
    while (this.failures.size > this.maxEntries) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A right password: the login's failures are forgotten (the client's are not). */
  succeeded(login: string): void {
    this.failures.delete(`login:${login}`);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }

  private lockedFor(key: string, limit: number): number {
    const times = this.recent(key);
    if (times.length < limit) return 0;
    const lock = Math.min(this.baseLockMs * 2 ** (times.length - limit), this.maxLockMs);
    return Math.max(0, times.at(-1)! + lock - this.now());
  }
}
