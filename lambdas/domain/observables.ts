/**
 * Observables: the domain names, URLs, addresses, accounts, file hashes and phone numbers that make
 * a campaign recognisable, typed with STIX 2.1's cyber-observable names, and their one canonical
 * form each (two spellings of one domain are one observable). Pure functions; the platform's own
 * WHATWG URL parser and IDNA mapping (`node:url`) do what they are the reference for.
 *
 *   domain-name   lowercased, IDNA A-labels (UTS #46 as WHATWG URL maps them), no trailing dot
 *   url           WHATWG URL serialization (scheme and host lowercased, default port dropped,
 *                 dot segments resolved, percent-encoding as the standard writes it), no fragment
 *   ipv4-addr     dotted decimal, four parts 0–255; a part with a leading zero is refused (it reads
 *                 as octal to some parsers: 010.0.0.1 is 8.0.0.1 or 10.0.0.1 depending on who reads)
 *   ipv6-addr     RFC 5952: lowercase hex, no leading zeros, `::` for the longest run (the first of
 *                 equal ones) of two or more zero groups; IPv4-mapped addresses as ::ffff:a.b.c.d
 *   email-addr    local part as given (it may be case-sensitive, RFC 5321), domain as domain-name
 *   user-account  `platform` lowercased; the handle lowercased without a leading `@`
 *   file          a SHA-256, lowercase hex
 *   phone-number  E.164: `+` and 8 to 15 digits (spaces, dots, hyphens and parentheses left out)
 */
import { domainToASCII } from 'node:url';
import { hasBidiControl } from '../shared/bidi';
import { ValidationError } from './errors';

export const OBSERVABLE_TYPES = ['domain-name', 'url', 'ipv4-addr', 'ipv6-addr', 'email-addr', 'user-account', 'file', 'phone-number'] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

/** The most observables one incident carries. */
export const MAX_OBSERVABLES = 200;
/** The longest note on an observable. */
export const MAX_OBSERVABLE_NOTE = 500;
/** The longest value given (a URL's, the longest kind). */
export const MAX_OBSERVABLE_VALUE = 2048;

/** An observable as given, stored and answered (in canonical form once accepted). */
export interface Observable { type: ObservableType; value: string; platform?: string; note?: string }
/** What identifies an observable: its type, value and (user accounts) platform; a note is not part of it. */
export type ObservableRef = Pick<Observable, 'type' | 'value' | 'platform'>;

export type Canonical = { ok: true; observable: Observable } | { ok: false; path: 'value' | 'platform' | 'type'; reason: string };

const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const LONE_SURROGATE = /\p{Cs}/u;
const WHITE = /\s/u;

/** A DNS name as IDNA A-labels, lowercased, without the trailing dot; or why not. */
export function canonicalDomain(input: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (input.length === 0) return { ok: false, reason: 'must not be empty' };
  if (WHITE.test(input) || CONTROL.test(input)) return { ok: false, reason: 'must not contain white space or control characters' };
  // The URL host parser would decode %41 into "a": a domain name is written as itself.
  if (/[%/\\:@?#[\]]/.test(input)) return { ok: false, reason: 'is not a domain name (it holds a character no host name has)' };
  const trimmed = input.endsWith('.') ? input.slice(0, -1) : input;
  const ascii = domainToASCII(trimmed);
  if (!ascii) return { ok: false, reason: 'is not a valid (internationalized) domain name' };
  const labels = ascii.split('.');
  if (labels.some((l) => l.length === 0)) return { ok: false, reason: 'has an empty label' };
  if (labels.some((l) => l.length > 63)) return { ok: false, reason: 'has a label longer than 63 characters' };
  if (ascii.length > 253) return { ok: false, reason: 'is longer than 253 characters' };
  if (!labels.every((l) => /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(l))) return { ok: false, reason: 'has a label with a character other than letters, digits, "-" and "_", or one that starts or ends with "-"' };
  // WHATWG's host parser reads "0x7f.1" as 127.0.0.1; no top-level domain is a number.
  if (/^(?:0x[0-9a-f]*|[0-9]+)$/.test(labels.at(-1)!)) return { ok: false, reason: 'is an IP address, not a domain name (use ipv4-addr or ipv6-addr)' };
  return { ok: true, value: ascii };
}

/** Dotted decimal, each part 0–255 without a leading zero. */
export function canonicalIpv4(input: string): { ok: true; value: string } | { ok: false; reason: string } {
  const parts = input.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p))) return { ok: false, reason: 'must be four decimal numbers separated by dots (a.b.c.d)' };
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return { ok: false, reason: 'has a part with a leading zero (read as octal by some parsers): write it without' };
  if (parts.some((p) => Number(p) > 255)) return { ok: false, reason: 'has a part greater than 255' };
  return { ok: true, value: parts.map(Number).join('.') };
}

/** The eight 16-bit groups of an IPv6 address, or null. */
function ipv6Groups(input: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(input)) return null;
  let text = input;
  // An embedded IPv4 address as the last 32 bits: written as the two groups it is.
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return null;
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = canonicalIpv4(text.slice(lastColon + 1));
    if (!v4.ok) return null;
    const [a, b, c, d] = v4.value.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const groups = [...head, ...rest];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return null;
  const zeros = halves.length === 2 ? 8 - groups.length : 0;
  return [...head.map((g) => parseInt(g, 16)), ...Array<number>(zeros).fill(0), ...rest.map((g) => parseInt(g, 16))];
}

/** RFC 5952's text form of an IPv6 address. */
export function canonicalIpv6(input: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (input.includes('%')) return { ok: false, reason: 'must not carry a zone id (%…): it means something only on one host' };
  if (input.includes('/')) return { ok: false, reason: 'must be one address, not a prefix' };
  const groups = ipv6Groups(input);
  if (!groups) return { ok: false, reason: 'is not an IPv6 address (eight groups of up to four hex digits, "::" at most once)' };
  // RFC 5952 §5: an IPv4-mapped address keeps its IPv4 part in dotted decimal.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return { ok: true, value: `::ffff:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}` };
  }
  // §4.2: the longest run of two or more zero groups (the first of equal ones) becomes "::".
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return { ok: true, value: hex.join(':') };
  return { ok: true, value: `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}` };
}

/** The WHATWG URL serialization, without fragment. */
export function canonicalUrl(input: string): { ok: true; value: string } | { ok: false; reason: string } {
  // The URL parser silently drops tabs and line breaks and trims spaces: a value must be the URL itself.
  if (WHITE.test(input) || CONTROL.test(input)) return { ok: false, reason: 'must not contain white space or control characters' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  url.hash = '';
  const value = url.href.endsWith('#') ? url.href.slice(0, -1) : url.href;
  if (value.length > MAX_OBSERVABLE_VALUE) return { ok: false, reason: `is longer than ${MAX_OBSERVABLE_VALUE} characters once written in canonical form` };
  return { ok: true, value };
}

function canonicalEmail(input: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (WHITE.test(input) || CONTROL.test(input)) return { ok: false, reason: 'must not contain white space or control characters' };
  const at = input.lastIndexOf('@');
  if (at <= 0 || at === input.length - 1) return { ok: false, reason: 'must be local-part@domain' };
  const local = input.slice(0, at);
  if (local.length > 64) return { ok: false, reason: 'has a local part longer than 64 characters' };
  // RFC 5321: an "@" belongs in the local part only inside a quoted string ("a@b"@example.com).
  if (local.includes('@') && !/^".*"$/.test(local)) return { ok: false, reason: 'has an "@" in its local part outside quotes' };
  const domain = canonicalDomain(input.slice(at + 1));
  if (!domain.ok) return { ok: false, reason: `has a domain that ${domain.reason}` };
  return { ok: true, value: `${local}@${domain.value}` };
}

const PLATFORM = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** An observable in canonical form, or the first reason it is not one. */
export function canonicalize(input: { type: string; value: string; platform?: string; note?: string }): Canonical {
  const { type, value } = input;
  if (!(OBSERVABLE_TYPES as readonly string[]).includes(type)) return { ok: false, path: 'type', reason: `must be one of ${OBSERVABLE_TYPES.join(', ')}` };
  if (typeof value !== 'string' || value.length === 0) return { ok: false, path: 'value', reason: 'must not be empty' };
  if (value.length > MAX_OBSERVABLE_VALUE) return { ok: false, path: 'value', reason: `must be at most ${MAX_OBSERVABLE_VALUE} characters` };
  if (hasBidiControl(value)) return { ok: false, path: 'value', reason: 'must not contain bidirectional override or isolate controls (U+202A–U+202E, U+2066–U+2069)' };
  // Half a surrogate pair is no character: the URL parser would write it as U+FFFD, another value.
  if (LONE_SURROGATE.test(value) || (input.platform !== undefined && LONE_SURROGATE.test(input.platform))) return { ok: false, path: LONE_SURROGATE.test(value) ? 'value' : 'platform', reason: 'must not contain half a surrogate pair' };
  let platform: string | undefined;
  if (type === 'user-account') {
    if (input.platform === undefined) return { ok: false, path: 'platform', reason: 'is required for a user-account (e.g. twitter)' };
    platform = input.platform.toLowerCase();
    if (!PLATFORM.test(platform)) return { ok: false, path: 'platform', reason: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit' };
  } else if (input.platform !== undefined) {
    return { ok: false, path: 'platform', reason: 'is only for user-account' };
  }
  const done = (v: { ok: true; value: string } | { ok: false; reason: string }): Canonical => {
    if (!v.ok) return { ok: false, path: 'value', reason: v.reason };
    const observable: Observable = { type: type as ObservableType, value: v.value };
    if (platform !== undefined) observable.platform = platform;
    if (input.note !== undefined) observable.note = input.note;
    return { ok: true, observable };
  };
  switch (type as ObservableType) {
    case 'domain-name': return done(canonicalDomain(value));
    case 'url': return done(canonicalUrl(value));
    case 'ipv4-addr': return done(canonicalIpv4(value));
    case 'ipv6-addr': return done(canonicalIpv6(value));
    case 'email-addr': return done(canonicalEmail(value));
    case 'file': return done(/^[0-9a-fA-F]{64}$/.test(value) ? { ok: true, value: value.toLowerCase() } : { ok: false, reason: 'must be a SHA-256: 64 hexadecimal digits' });
    case 'phone-number': {
      const digits = value.replace(/[\s().-]/g, '');
      return done(/^\+[1-9][0-9]{7,14}$/.test(digits) ? { ok: true, value: digits } : { ok: false, reason: 'must be an E.164 number: "+", the country code and the number, 8 to 15 digits in all' });
    }
    case 'user-account': {
      const handle = (value.startsWith('@') ? value.slice(1) : value).toLowerCase();
      if (handle.length === 0) return { ok: false, path: 'value', reason: 'must name the account (a handle after "@")' };
      // One leading @ is the handle's decoration; a second would be stripped by the next reading, so the form would not be one.
      if (handle.startsWith('@')) return { ok: false, path: 'value', reason: 'must have at most one leading "@"' };
      if (WHITE.test(handle) || CONTROL.test(handle)) return { ok: false, path: 'value', reason: 'must not contain white space or control characters' };
      return done({ ok: true, value: handle });
    }
  }
}

/** One string per observable identity: equal exactly when two canonical observables are the same one. */
export const observableKey = (o: ObservableRef): string => (o.type === 'user-account' ? `${o.type}|${o.platform ?? ''}|${o.value}` : `${o.type}|${o.value}`);

/** What identifies an observable, without its note: what is shown of it outside its own incident. */
export const refOf = (o: ObservableRef): ObservableRef => (o.platform === undefined ? { type: o.type, value: o.value } : { type: o.type, value: o.value, platform: o.platform });

/** The observables of `list` not in `existing` (by identity), each once, in order. */
export function newObservables(existing: readonly ObservableRef[], list: readonly Observable[]): Observable[] {
  const seen = new Set(existing.map(observableKey));
  return list.filter((o) => { const key = observableKey(o); if (seen.has(key)) return false; seen.add(key); return true; });
}

/** The observables `a` and `b` share, as identities (sorted by key, so the same pair always reads the same). */
export function sharedObservables(a: readonly ObservableRef[], b: readonly ObservableRef[]): ObservableRef[] {
  const inB = new Set(b.map(observableKey));
  const shared = new Map(a.filter((o) => inB.has(observableKey(o))).map((o) => [observableKey(o), refOf(o)] as const));
  return [...shared.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, o]) => o);
}

/**
 * Every observable of `list` in canonical form; or a 400 listing each invalid one (`<path>.<i>.value`
 * and why), so a client fixes them all at once.
 */
export function canonicalList(list: ReadonlyArray<{ type: string; value: string; platform?: string; note?: string }>, path = 'observables'): Observable[] {
  const errors: Array<{ path: string; message: string }> = [];
  const done: Observable[] = [];
  list.forEach((o, i) => {
    const c = canonicalize(o);
    if (c.ok) done.push(c.observable);
    else errors.push({ path: `${path}.${i}.${c.path}`, message: c.reason });
  });
  if (errors.length) throw new ValidationError(`${errors.length} of the observables ${errors.length === 1 ? 'is' : 'are'} not valid.`, errors);
  if (done.length > MAX_OBSERVABLES) throw new ValidationError(`At most ${MAX_OBSERVABLES} observables.`, [{ path, message: `has ${done.length}; at most ${MAX_OBSERVABLES}` }]);
  return done;
}
