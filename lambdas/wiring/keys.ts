/** Creating API keys, with the notice every creation sends: bundled only by the functions that create keys. */
import { renderKeyNotice } from '../adapters/sns/key-notice';
import { makeKeyIssuer } from '../domain/directory';
import { derived } from './adapters';

export const keys = derived(({ clock, directoryRepository, publisher }) => makeKeyIssuer({
  directory: directoryRepository,
  clock,
  keyNotices: { keyCreated: async (notice) => { await publisher.publish(notice.organization.id, renderKeyNotice(notice), {}); } },
}));
