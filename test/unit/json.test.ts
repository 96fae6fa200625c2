/** Lossless JSON (issue #10, item 5): what comes in goes out, digit for digit and key for key. */
import fc from 'fast-check';
import { JsonNumber, parseJsonLossless, stringifyJson } from '../../lambdas/shared/json';

it('gives back any JSON text, minified, exactly as JSON.stringify would have written it when nothing is lost', () => {
  fc.assert(fc.property(fc.jsonValue(), (value) => {
    const text = JSON.stringify(value);
    expect(stringifyJson(parseJsonLossless(text))).toBe(text);
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
  }), { numRuns: 500 });
});

it('keeps numbers a double cannot hold as their text, and every key as an own property', () => {
  const text = '{ "id" : 1798765432109876543, "big": 1e400, "frac": 1.50, "neg": -0, "ok": 42, "__proto__": { "x": [ 1 , "a\\"b" ] } }';
  const value = parseJsonLossless(text) as Record<string, unknown>;
  expect(value.id).toEqual(new JsonNumber('1798765432109876543'));
  expect(value.ok).toBe(42);
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  expect(Object.keys(value)).toEqual(['id', 'big', 'frac', 'neg', 'ok', '__proto__']);
  expect(stringifyJson(value)).toBe('{"id":1798765432109876543,"big":1e400,"frac":1.50,"neg":-0,"ok":42,"__proto__":{"x":[1,"a\\"b"]}}');
});

it('refuses what is not JSON with JSON.parse\'s own error', () => {
  expect(() => parseJsonLossless('{"a":')).toThrow(SyntaxError);
  expect(() => parseJsonLossless('[1,]')).toThrow(SyntaxError);
});
