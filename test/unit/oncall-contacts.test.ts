/** Contacts with ids and time zones (issue #24): derived from names when absent, kept, unique, validated. */
import { contactIds, isTimeZone, slugOf } from '../../lambdas/domain/contact-ids';
import { makeDirectory } from '../../lambdas/domain/directory';
import { DirectoryFileSchema } from '../../lambdas/http/directory-file-schema';
import { OrganizationBody } from '../../lambdas/http/schemas';
import { fieldErrors } from '../../lambdas/http/request';
import { ManualClock, MemoryDirectoryRepository } from '../support/memory-repositories';
import demo from '../../local/demo-directory.json';

const errorsOf = (body: unknown) => {
  const parsed = OrganizationBody.safeParse(body);
  return parsed.success ? [] : fieldErrors(parsed.error, 'body');
};

describe('contact ids', () => {
  it('derives ids from names as organization ids are written, numbering repeats and avoiding given ids', () => {
    expect(slugOf('Election crimes duty officer')).toBe('election-crimes-duty-officer');
    expect(slugOf('José Müller (night)')).toBe('jose-muller-night');
    expect(slugOf('X')).toBe('contact-x');
    expect(slugOf('中文')).toBe('contact');
    expect(slugOf('a'.repeat(60))).toHaveLength(40);
    expect(contactIds([{ name: 'Duty' }, { name: 'duty' }, { id: 'duty-2', name: 'Other' }, { name: 'Duty' }])).toEqual(['duty', 'duty-3', 'duty-2', 'duty-4']);
  });

  it('keeps the id a stored contact of the same name has, even when the name would derive another', () => {
    expect(contactIds([{ name: 'Watch' }, { name: 'New' }], [{ id: 'watch-desk', name: 'Watch' }])).toEqual(['watch-desk', 'new']);
  });

  it('gives every contact of the demo directory a valid id, unique within its organization', () => {
    for (const org of demo.organizations) {
      const ids = contactIds(org.contacts);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z0-9-]{2,40}$/);
    }
    expect(DirectoryFileSchema.safeParse(demo).success).toBe(true);
  });

  it('stores ids and time zones through putOrganization, and keeps an id when a later PUT leaves it out', async () => {
    const directory = makeDirectory({ directory: new MemoryDirectoryRepository(), provisioner: { provision: async () => {} }, clock: new ManualClock() });
    const { organization } = await directory.putOrganization('pinal', { name: 'Pinal', kind: 'agency', contacts: [{ id: 'clerk-1', name: 'Clerk', timeZone: 'America/Phoenix' }, { name: 'Deputy clerk' }] });
    expect(organization.contacts).toEqual([
      { id: 'clerk-1', name: 'Clerk', email: null, phone: null, timeZone: 'America/Phoenix' },
      { id: 'deputy-clerk', name: 'Deputy clerk', email: null, phone: null },
    ]);
    const again = await directory.putOrganization('pinal', { name: 'Pinal', kind: 'agency', contacts: [{ name: 'Clerk', timeZone: 'America/Phoenix' }, { name: 'Deputy clerk' }] });
    expect(again.organization.contacts.map((c) => c.id)).toEqual(['clerk-1', 'deputy-clerk']);
  });
});

describe('validation', () => {
  it('refuses duplicate ids, malformed ids and unknown or offset time zones, naming each field', () => {
    expect(errorsOf({ name: 'P', kind: 'agency', contacts: [
      { id: 'duty', name: 'A' }, { id: 'duty', name: 'B' }, { id: 'Bad Id', name: 'C' },
      { name: 'D', timeZone: 'Mars/Olympus_Mons' }, { name: 'E', timeZone: '+05:00' }, { name: 'F', timeZone: 'Australia/Lord_Howe' },
    ] }).map((e) => e.path)).toEqual(['contacts.2.id', 'contacts.3.timeZone', 'contacts.4.timeZone', 'contacts.1.id']);
  });

  it('knows zones through Intl', () => {
    expect(['America/New_York', 'Europe/London', 'Asia/Kolkata', 'UTC'].every(isTimeZone)).toBe(true);
    expect(['', 'EST5EDT/x', 'Nowhere/Town', '../etc', '+01:00'].some(isTimeZone)).toBe(false);
  });

  it('knows a canonical zone without building a date formatter (ICU\'s first costs a cold start 15–25 ms)', () => {
    const formatter = jest.spyOn(Intl, 'DateTimeFormat');
    try {
      expect(['America/New_York', 'Europe/London', 'UTC'].every(isTimeZone)).toBe(true);
      expect(formatter).not.toHaveBeenCalled();
    } finally {
      formatter.mockRestore();
    }
  });

  it('answers as Intl does for every zone it lists, and for aliases and other spellings it does not', () => {
    const intlKnows = (zone: string) => { try { new Intl.DateTimeFormat('en-US', { timeZone: zone }); return true; } catch { return false; } };
    const listed = Intl.supportedValuesOf('timeZone');
    expect(listed.filter((zone) => isTimeZone(zone) !== intlKnows(zone))).toEqual([]);
    const unlisted = ['US/Eastern', 'Asia/Calcutta', 'Asia/Kolkata', 'Europe/Kiev', 'Europe/Kyiv', 'america/new_york', 'Etc/GMT+5', 'GMT', 'Nowhere/Town', 'Mars/Olympus_Mons'];
    expect(unlisted.map(isTimeZone)).toEqual(unlisted.map(intlKnows));
  });
});
