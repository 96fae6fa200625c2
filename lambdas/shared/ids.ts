/** ULIDs: 48 bits of milliseconds then 80 random bits, Crockford base32, sortable by time. */
import { randomBytes } from 'node:crypto';

/** The shapes of the domain's Clock and IdGenerator ports, written here so shared code imports nothing from the domain. */
interface Clock { now(): Date }
interface IdGenerator { next(): string }

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Incident ids: `inc_` and a ULID, so sorting ids sorts by creation time. */
export const INCIDENT_ID_PREFIX = 'inc_';
export const isIncidentId = (id: string) => id.startsWith(INCIDENT_ID_PREFIX) && ULID_PATTERN.test(id.slice(INCIDENT_ID_PREFIX.length));

export function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 characters of 5 bits each.
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/**
 * Monotonic within a process: ids made in the same millisecond still sort in creation order,
 * by incrementing the random part as the ULID specification describes.
 */
export function ulidGenerator(clock: Clock): IdGenerator {
  let lastTime = -1;
  let lastRandom = new Uint8Array(10);
  return {
    next() {
      const time = clock.now().getTime();
      if (time <= lastTime) {
        const r = Uint8Array.from(lastRandom);
        for (let i = r.length - 1; i >= 0; i--) {
          r[i] = (r[i]! + 1) & 0xff;
          if (r[i] !== 0) break;
        }
        lastRandom = r;
      } else {
        lastTime = time;
        lastRandom = Uint8Array.from(randomBytes(10));
      }
      return encodeTime(lastTime) + encodeRandom(lastRandom);
    },
  };
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * The commit clock's next time after `previous` (1 ms later at least), never before `floor` (the
 * change's own time): strictly increasing, whatever the hosts' clocks say (IncidentRecord.addedAt).
 */
export function nextClockTime(previous: string | undefined, floor: string): string {
  const after = previous === undefined ? -Infinity : Date.parse(previous) + 1;
  return new Date(Math.max(Date.parse(floor), after)).toISOString();
}
