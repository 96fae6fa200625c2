/**
 * API keys. A key is shown once; only its SHA-256 hash is stored. The key id is derived from the
 * hash, so a presented key is found with one read and then compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const MIN_KEY_LENGTH = 24;

export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** `key_` and the first 96 bits of the hash: unique enough, and reveals nothing usable. */
export const keyIdOf = (hash: string): string => `key_${hash.slice(0, 24)}`;

export function generateKey(): string {
  return `cnc_${randomBytes(32).toString('base64url')}`;
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
