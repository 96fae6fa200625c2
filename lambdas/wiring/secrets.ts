/**
 * The signing secret (read on first use) and what it signs: list and timeline cursors. Only the
 * functions that sign or verify bundle this (and are granted the secret).
 */
import { loadSigningSecret } from '../adapters/secrets';
import { makeCursorCodec } from '../http/cursor';
import { derived } from './adapters';

export const signingSecret = derived(({ config }) => loadSigningSecret(config));

export const cursors = /* @__PURE__ */ derived(async () => makeCursorCodec(await signingSecret()));
