/**
 * Contact ids: the rules of organization ids (lowercase letters, digits and `-`, 2–40 characters),
 * unique within an organization. A contact listed without one gets one derived from its name — the
 * id it already had when a contact of that name is stored, else its name made into an id, with
 * `-2`, `-3`… when taken — so directory files written before ids existed keep working and a
 * contact keeps its id from one PUT to the next.
 */
export const CONTACT_ID_PATTERN = /^[a-z0-9-]{2,40}$/;

/** A name made into an id: accents dropped, lowercased, every other run of characters one `-`. */
export function slugOf(name: string): string {
  const slug = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return slug.length >= 2 ? slug : `contact${slug ? `-${slug}` : ''}`;
}

/**
 * The id of each contact, in order: the given ones as given (their uniqueness is the schema's to
 * check), the others kept from `stored` by name or derived from the name.
 */
export function contactIds(contacts: ReadonlyArray<{ id?: string | null; name: string }>, stored: ReadonlyArray<{ id?: string; name: string }> = []): string[] {
  const taken = new Set(contacts.flatMap((c) => (c.id ? [c.id] : [])));
  const storedByName = new Map(stored.filter((c) => c.id).map((c) => [c.name, c.id!] as const));
  return contacts.map((c) => {
    if (c.id) return c.id;
    const kept = storedByName.get(c.name);
    if (kept && !taken.has(kept)) {
      taken.add(kept);
      return kept;
    }
    const base = slugOf(c.name);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 40 - String(n).length - 1).replace(/-+$/, '')}-${n}`;
    taken.add(id);
    return id;
  });
}

/**
 * The platform's canonical zone names, listed once. Listing them costs a cold start ~3 ms where
 * ICU's first formatter costs 15–25 ms (bench/README.md), and most functions that check a
 * zone never format a date.
 */
let canonicalZones: Set<string> | undefined;

/** Whether Intl knows the zone: an IANA name (`Area/Location`, or `UTC`), never an offset such as `+05:00`. */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone) || zone.length > 64) return false;
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zone === 'UTC' || canonicalZones.has(zone)) return true;
  // Aliases (US/Eastern), other spellings (america/new_york) and unknown names: Intl decides.
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
