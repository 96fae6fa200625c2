/**
 * Bidirectional override and isolate controls (U+202A–U+202E, U+2066–U+2069): in one line of text
 * they reorder what follows (`Invoice \u202efdp.exe` renders as "Invoice exe.pdf"). Single-line
 * fields refuse them (http/schemas.ts); outside text the service echoes (a token's `iss` in a
 * problem or an audit entry, a header) has them written out as visible `\u202E` instead.
 */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;
const ALL_BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/gu;

export const hasBidiControl = (s: string) => BIDI_CONTROLS.test(s);

/** Each control written as visible `\uXXXX`; everything else as it was. */
export const escapeBidi = (s: string) => s.replace(ALL_BIDI_CONTROLS, (c) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase()}`);

/** The controls left out: for a single line the service writes itself from outside text (a CloudWatch alarm's name as a title). */
export const stripBidi = (s: string) => s.replace(ALL_BIDI_CONTROLS, '');

/** Every string in a JSON-like value escaped (keys too): for documents made of outside text. */
export function escapeBidiDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeBidi(value) as T;
  if (Array.isArray(value)) return value.map(escapeBidiDeep) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeBidi(k), escapeBidiDeep(v)])) as T;
  }
  return value;
}
