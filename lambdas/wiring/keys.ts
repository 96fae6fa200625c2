/** Creating API keys, with the notice every creation sends: bundled only by the functions that create keys. */
import { renderKeyNotice } from '../adapters/sns/key-notice';
import { makeKeyIssuer } from '../domain/directory';
import { derived } from './adapters';
import { publisher } from './publisher';

export const keys = derived(async ({ clock, directoryRepository }) => {
  const publish = await publisher();
  return makeKeyIssuer({
    directory: directoryRepository,
    clock,
    // Every contact hears of a new key: the notice names them all (their subscriptions filter on it).
    keyNotices: { keyCreated: async (notice) => { await publish.publish(notice.organization.id, renderKeyNotice(notice), { contacts: notice.organization.contacts.map((c) => c.id) }); } },
  });
});
