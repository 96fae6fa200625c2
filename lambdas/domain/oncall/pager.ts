/**
 * Escalation policies at work: who a notification to an organization reaches (its policy's first
 * level with someone to page, resolved now; every contact of the audience when it has no policy),
 * and the per-(incident, organization) paging state the escalation timer advances (paging.ts).
 */
import type { Incident, TimelineEvent } from '../incident';
import type { OnCallRepository, Organization, StoredEscalationPolicy } from '../ports';
import { startPaging, type PagingContext, type PagingState } from './paging';

/** The notifications that tell an organization of an incident (report, invitation, escalation): they start its paging. */
export const STARTS_PAGING: ReadonlySet<string> = new Set(['reported', 'participants_added', 'escalated']);

/** One organization's paging of one incident; `about` is the event that started it. */
export interface PagingItem { incidentId: string; orgId: string; about: number; state: PagingState }

export interface PagingStore {
  /** Stores the item unless one is already there for (incident, organization): false then. */
  start(item: PagingItem): Promise<boolean>;
  /** Items whose next level is due at `now`, earliest first. */
  due(now: string, limit: number): Promise<PagingItem[]>;
  /** Moves the item from its stored state to `next` (null: removes it), only if it is still as read: false when another run moved it. */
  move(item: PagingItem, next: PagingState | null): Promise<boolean>;
}

/** Whom a notice reaches: null when the organization has no policy (all its audience). */
export type NoticePlan = null | { failed: string } | { level: number; contacts: string[] };

/** Policies read beforehand for a notice's organizations (absent: the organization has none). */
export type KnownPolicies = ReadonlyMap<string, StoredEscalationPolicy>;

export function makePager({ oncall, store }: { oncall: Pick<OnCallRepository, 'getPolicy' | 'getPolicies' | 'listSchedules'>; store: PagingStore }) {
  async function contextOf(org: Organization, incident: Pick<Incident, 'tlp'>, known?: KnownPolicies): Promise<PagingContext | null> {
    const stored = known ? known.get(org.id) ?? null : await oncall.getPolicy(org.id);
    if (!stored) return null;
    const schedules = new Map((await oncall.listSchedules(org.id)).map((s) => [s.id, s.spec] as const));
    return { policy: stored.policy, schedules, contacts: org.contacts, red: incident.tlp === 'RED' };
  }

  return {
    store,
    contextOf,

    /** The policies of a notice's organizations in one read, for `plan`. */
    policiesOf: (orgIds: readonly string[]): Promise<KnownPolicies> => oncall.getPolicies(orgIds),

    /**
     * Whom a notice about `event` to `org` reaches at `at`, by its policy; a notice that tells the
     * organization of the incident (STARTS_PAGING) starts its paging unless it is already under
     * way or the organization has acknowledged.
     */
    async plan(org: Organization, incident: Incident, event: Pick<TimelineEvent, 'type' | 'seq'>, at: Date, known?: KnownPolicies): Promise<NoticePlan> {
      const ctx = await contextOf(org, incident, known);
      if (!ctx) return null;
      const first = startPaging(ctx, at);
      if (first.failed !== null) return { failed: `${org.id}: ${first.failed}, so nothing was sent.` };
      const acknowledged = incident.acknowledgements.some((a) => a.orgId === org.id);
      // Only a participant is paged level by level (managers' organizations hear of escalations once).
      if (STARTS_PAGING.has(event.type) && first.state && !acknowledged && incident.status !== 'resolved' && incident.participants.includes(org.id)) {
        await store.start({ incidentId: incident.id, orgId: org.id, about: event.seq, state: first.state });
      }
      return { level: first.pages[0]!.level, contacts: first.pages[0]!.contacts };
    },
  };
}

export type Pager = ReturnType<typeof makePager>;
