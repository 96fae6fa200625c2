/**
 * STIX and TAXII on top of the incident use cases: what a caller may read is read through
 * `incidents.get`, `incidents.list` and `incidents.timeline` only — never the repository around
 * them — so TAXII shows exactly what `GET /v1/incidents` shows, and whatever those use cases check
 * or record applies here too. Organization names come from the directory.
 */
import { DynamoTaxiiStatusStore } from '../adapters/dynamodb/taxii-status-store';
import { required, ENV } from '../config/env';
import type { ReadAction } from '../domain/audit-entry';
import type { Incident, TimelineEvent } from '../domain/incident';
import type { Caller } from '../domain/actor';
import { MAX_TIMELINE_PAGE } from '../domain/incident-service';
import { incidentObjects, type ExportInput, type OrgInfo } from '../integrations/stix';
import type { Entry } from '../integrations/taxii';
import { derived } from './adapters';
import { container } from './incidents';

/**
 * The most incidents one TAXII request reads. A collection is built from the caller's whole list
 * (its objects are ordered by when their current version was added, which no index serves yet);
 * past this many incidents, the ones reported longest ago are left out.
 */
export const MAX_COLLECTION_INCIDENTS = 2000;
const TIMELINE_READS_AT_ONCE = 8;

/** What adding objects needs besides the incident use cases: status resources and key defaults. */
export const taxiiWriting = /* @__PURE__ */ derived((a) => ({
  statuses: new DynamoTaxiiStatusStore(a.db, a.config.tableName),
  directory: a.directoryRepository,
}));

export const taxiiServices = /* @__PURE__ */ derived(async (a) => {
  const { incidents } = await container();
  const directory = a.directoryRepository;
  const baseUrl = () => required(a.config, 'publicBaseUrl', ENV.publicBaseUrl);

  /** The whole timeline; reads of restricted incidents are audited as `action` (an export, a TAXII read). */
  async function allEvents(caller: Caller, id: string, action: ReadAction): Promise<TimelineEvent[]> {
    const events: TimelineEvent[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await incidents.timeline(caller, id, { limit: MAX_TIMELINE_PAGE, after }, action);
      events.push(...page.events);
      if (page.lastSeq === null) return events;
      after = page.lastSeq;
    }
  }

  /** A per-request reader of organization names (each read once). */
  function organizationReader() {
    const cache = new Map<string, Promise<OrgInfo | null>>();
    return async (ids: Iterable<string>): Promise<Map<string, OrgInfo>> => {
      const out = new Map<string, OrgInfo>();
      for (const id of ids) {
        if (!cache.has(id)) cache.set(id, directory.getOrganization(id).then((o) => (o ? { name: o.name, createdAt: o.createdAt, updatedAt: o.updatedAt } : null)));
        const org = await cache.get(id)!;
        if (org) out.set(id, org);
      }
      return out;
    };
  }

  const orgIdsOf = (incident: Incident, events: readonly TimelineEvent[]) =>
    new Set([incident.reporter.orgId, ...incident.participants, ...events.filter((e) => e.type === 'note').map((e) => e.actor.orgId)]);

  return {
    // One status store for reading and adding alike.
    statuses: (await taxiiWriting()).statuses,
    baseUrl,

    /** What the STIX export of one incident needs, as `caller` may see it (404 otherwise). */
    async exportInput(caller: Caller, id: string): Promise<ExportInput> {
      const incident = await incidents.get(caller, id, 'export');
      const events = await allEvents(caller, id, 'export');
      return { incident, events, organizations: await organizationReader()(orgIdsOf(incident, events)), baseUrl: baseUrl() };
    },

    /** Every STIX object `caller` may read, with when it was added. */
    async collection(caller: Caller): Promise<Entry[]> {
      const base = baseUrl();
      const orgs = organizationReader();
      const entries: Entry[] = [];
      let after: string | undefined;
      let read = 0;
      do {
        const page = await incidents.list(caller, { limit: 100, after }, 'taxii');
        // Timelines are read a few at a time: one request per incident, not one after another.
        for (let i = 0; i < page.items.length; i += TIMELINE_READS_AT_ONCE) {
          const batch = page.items.slice(i, i + TIMELINE_READS_AT_ONCE);
          const timelines = await Promise.all(batch.map((incident) => allEvents(caller, incident.id, 'taxii')));
          for (const [j, incident] of batch.entries()) {
            const events = timelines[j]!;
            entries.push(...incidentObjects({ incident, events, organizations: await orgs(orgIdsOf(incident, events)), baseUrl: base }));
          }
        }
        read += page.items.length;
        after = page.lastId ?? undefined;
      } while (after && read < MAX_COLLECTION_INCIDENTS);
      return entries;
    },
  };
});
