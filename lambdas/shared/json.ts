/**
 * JSON that keeps what it was given. `details` are documented as returned exactly, but JavaScript
 * numbers are doubles: 1798765432109876543 (a real tweet id) would come back 1798765432109876500 and
 * 1e400 as null. Numbers whose text a double does not reproduce are kept as `JsonNumber` (their
 * text); every key is kept as an own property, `__proto__` included, in the order it was sent
 * (JavaScript puts integer-like keys first; the source order is kept beside them). A key sent twice
 * in one object is refused: which one would count is anyone's guess.
 */

/** The keys of an object in source order, where that differs from JavaScript's own order. */
const KEY_ORDER = Symbol('keyOrder');

/** Two members with one name in one object. */
export class DuplicateKeyError extends Error {
  constructor(readonly key: string, readonly path: string[]) { super(`duplicate key "${key}"`); }
}

const keysOf = (value: object): string[] => (value as { [KEY_ORDER]?: string[] })[KEY_ORDER] ?? Object.keys(value);

/** Sets (or adds, last) a member of a parsed object, keeping its key order. */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  const order = (target as { [KEY_ORDER]?: string[] })[KEY_ORDER];
  if (order && !Object.prototype.hasOwnProperty.call(target, key)) order.push(key);
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A JSON number kept as its text. `toJSON` is a fallback for code that still uses JSON.stringify. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toJSON(): number { return Number(this.text); }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * Parses JSON that `JSON.parse` has already accepted (so errors are JSON.parse's own): objects as
 * plain objects whose keys are all own data properties, numbers as numbers where the double is
 * exact and `JsonNumber` where it is not.
 */
export function parseJsonLossless(text: string): unknown {
  JSON.parse(text);
  let at = 0;
  const skip = () => { WHITESPACE.lastIndex = at; WHITESPACE.exec(text); at = WHITESPACE.lastIndex; };
  const string = (): string => {
    const start = at;
    for (at++; text[at] !== '"'; at++) if (text[at] === '\\') at++;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: string[]): unknown => {
    skip();
    const c = text[at];
    if (c === '{') {
      const out: Record<string, unknown> = {};
      const order: string[] = [];
      const finish = () => {
        // Only where JavaScript would reorder (integer-like keys): keep the source order beside.
        const actual = Object.keys(out);
        if (order.some((k, i) => actual[i] !== k)) Object.defineProperty(out, KEY_ORDER, { value: order, enumerable: false });
        return out;
      };
      at++; skip();
      if (text[at] === '}') { at++; return out; }
      for (;;) {
        skip();
        const key = string();
        if (Object.prototype.hasOwnProperty.call(out, key)) throw new DuplicateKeyError(key, path);
        skip(); at++; // ':'
        // defineProperty, not assignment: "__proto__" stays a key instead of changing the prototype.
        Object.defineProperty(out, key, { value: value([...path, key]), enumerable: true, writable: true, configurable: true });
        order.push(key);
        skip();
        if (text[at++] === '}') return finish();
      }
    }
    if (c === '[') {
      const out: unknown[] = [];
      at++; skip();
      if (text[at] === ']') { at++; return out; }
      for (;;) {
        out.push(value([...path, String(out.length)]));
        skip();
        if (text[at++] === ']') return out;
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', at)) { at += 4; return true; }
    if (text.startsWith('false', at)) { at += 5; return false; }
    if (text.startsWith('null', at)) { at += 4; return null; }
    NUMBER.lastIndex = at;
    const literal = NUMBER.exec(text)![0];
    at += literal.length;
    const n = Number(literal);
    return Number.isFinite(n) && String(n) === literal ? n : new JsonNumber(literal);
  };
  return value([]);
}

/** JSON text of `value`, writing each `JsonNumber` exactly as it was received; otherwise as JSON.stringify. */
export function stringifyJson(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : stringifyJson(v))).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return stringifyJson((value as { toJSON(): unknown }).toJSON());
  const members: string[] = [];
  for (const key of keysOf(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== 'function') members.push(`${JSON.stringify(key)}:${stringifyJson(v)}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * What `value` weighs in a Lambda proxy answer: API Gateway's Lambda returns the body as a JSON
 * string inside its own JSON, so every quote, backslash and control character is escaped twice.
 * Lambda answers at most 6 MB of that (not of the body), so bounds on answers are counted in it.
 */
export const answerBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(typeof value === 'string' ? value : stringifyJson(value)), 'utf8') - 2;

/** Lambda's limit (6 MB) less room for status and headers: what one answer's body may weigh, as answerBytes counts. */
export const MAX_ANSWER_BYTES = 6 * 1024 * 1024 - 64 * 1024;
