/**
 * Ports: everything the domain needs from the outside world, in this one file, with the data they
 * carry — time and ids, incidents, the directory, the audit trail, notifications, rate limits,
 * metrics buckets. Adapters implement them (DynamoDB and SNS in production and locally, in-memory
 * fakes in unit tests). This file imports only the domain's types, never a use case.
 */
import type { Change, Incident, IncidentRecord, Severity, Status, TimelineEvent } from './incident';
import type { Tlp } from './tlp';
import type { Role } from './actor';
import type { ChatSettings, ChatView } from './chat';
import type { Scope, ScopedContribution } from './metrics/contributions';
import type { Aggregate } from './metrics/sketch';
import type { Granularity } from './metrics/calendar';
import type { AuditPage, AuditPageQuery, AuditRecord, AuditWindowQuery, HiddenDayQuery } from './audit-entry';
import type { ObservableRef } from './observables';
import type { ScheduleSpec } from './oncall/schedule';

export interface Clock { now(): Date }
export interface IdGenerator { next(): string }

/**
 * Which incidents a list reads: one organization's participations, all incidents, or the community's
 * (every GREEN and CLEAR incident, whoever participates).
 */
export type ListScope = { kind: 'organization'; orgId: string } | { kind: 'all' } | { kind: 'community' };

export interface ListQuery {
  scope: ListScope;
  status?: Status;
  severity?: Severity;
  /** Keep only incidents this organization participates in. */
  participant?: string;
  /**
   * Keep restricted (RED, AMBER+STRICT) incidents only when this organization participates;
   * undefined keeps them all (the scope already limits them to participations).
   */
  restrictedVisibleTo?: string;
  limit: number;
  /** The id of the last incident of the previous page. */
  after?: string;
}

/** `addedAt`: when each incident's current version was committed (IncidentRecord.addedAt), where known. */
export interface ListPage { items: Incident[]; lastId: string | null; addedAt?: ReadonlyMap<string, string> }

/** One page of a timeline: at most `limit` events after event `afterSeq` (from the first if absent). */
export interface TimelinePageQuery { limit: number; afterSeq?: number }
/** `lastSeq` is the seq of the page's last event when more events may follow, else null. */
export interface TimelinePage { events: TimelineEvent[]; lastSeq: number | null }

export type CreateResult =
  | { created: true }
  | { created: false; existing: IncidentRecord }
  /** Another open incident holds the acknowledgement code: pick another and try again. */
  | { created: false; ackCodeTaken: true };

export interface IncidentRepository {
  /** Strongly consistent read of the incident and its event count. */
  get(id: string): Promise<IncidentRecord | null>;
  /** The incidents with these ids that exist, in no particular order (for the `related` of answers). */
  getMany(ids: readonly string[]): Promise<Incident[]>;
  /** Strongly consistent reads of several incidents with their event counts, as `get`: those that exist, in no particular order. */
  getRecords(ids: readonly string[]): Promise<IncidentRecord[]>;
  /**
   * Stores a new incident with its first events, atomically claiming its `(reporter, dedupKey)`
   * while it is open. If the key is already claimed by an open incident, stores nothing and
   * returns that incident.
   */
  create(change: Change): Promise<CreateResult>;
  /**
   * Stores `change` if the incident still is as `previous` shows it (same event count), in one
   * atomic write together with its events. Throws `ConcurrentModificationError` otherwise.
   * A change of version (and `create`) takes the next time of the commit clock as the incident's
   * `addedAt`, in the same atomic write, so `addedAt` follows commit order: a version committed
   * after another has a later `addedAt`, however the writers raced.
   */
  commit(previous: IncidentRecord, change: Change): Promise<void>;
  /** One page of events, oldest first, read as one page from storage (never the whole timeline). */
  timeline(id: string, page: TimelinePageQuery): Promise<TimelinePage>;
  /** One event by its number. */
  event(id: string, seq: number): Promise<TimelineEvent | null>;
  /** The unresolved incident `orgId` reported with `dedupKey`, if there is one. */
  findOpenByDedupKey(orgId: string, dedupKey: string): Promise<IncidentRecord | null>;
  /** The open incident with this acknowledgement code, if there is one. */
  findOpenByAckCode(code: string): Promise<IncidentRecord | null>;
  /** Incidents reported in [from, to). */
  reportedBetween(from: string, to: string): Promise<Incident[]>;
  /** Open, unacknowledged incidents whose escalation is due at `now`, earliest first. */
  dueForEscalation(now: string, limit: number): Promise<IncidentRecord[]>;
  /** Newest first; `lastId` is set when more incidents may follow. */
  list(query: ListQuery): Promise<ListPage>;
}

export type OrganizationKind = 'agency' | 'company';
/**
 * `id` is unique within its organization (given, or derived from the name: see contactIds);
 * `red` marks a contact cleared for TLP:RED (absent when not); `timeZone` is an IANA zone (absent when not given).
 */
export interface Contact { id: string; name: string; email: string | null; phone: string | null; red?: true; timeZone?: string }

/** An OpenID Connect issuer an organization trusts to sign its people in. */
export interface IdentityProvider {
  issuer: string;
  audience: string;
  /** The claim whose values map to roles through `roles`. */
  rolesClaim?: string;
  roles?: Record<string, 'manager' | 'admin'>;
  /** The claim naming the organization when several trust the issuer. @default 'org' */
  orgClaim?: string;
}

/** An endpoint SNS pushes notifications to; `red` ones also get TLP:RED. */
export interface PushEndpoint { url: string; red: boolean }

/** An organization's trust in an issuer, as the issuer index finds it. */
export interface IssuerTrust { orgId: string; provider: IdentityProvider }

export interface Organization {
  id: string;
  name: string;
  kind: OrganizationKind;
  contacts: Contact[];
  /** Absent when the organization signs no people in. */
  identity?: IdentityProvider[];
  /** Its systems' HTTPS endpoints, pushed every notification by SNS; absent when none. */
  endpoints?: PushEndpoint[];
  /** The chat channels its incidents are posted to (domain/chat.ts); absent when none. Never a credential. */
  chat?: ChatSettings;
  /** The organization whose admin created it through the API; absent for the operator's (files, scripts). */
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
}

/** What an integration's events default to: who else hears of them, and their TLP. */
export interface KeyDefaults { participants?: string[]; tlp?: Tlp }

/** An API key as stored: never the key itself, only its SHA-256 hash. */
export interface ApiKeyRecord {
  keyId: string;
  orgId: string;
  role: Role;
  hash: string;
  createdAt: string;
  defaults?: KeyDefaults;
  /** Where it came from: a directory file (revoked when the file drops it), the API, or the operator's script. */
  origin?: 'file' | 'api' | 'operator';
  /** When it last authenticated a request, to the minute. */
  lastUsedAt?: string;
  /** Revoked keys stay as tombstones, so no later load can bring them back. */
  revokedAt?: string;
}

/** A key as admins see it: never a secret, never a hash. */
export interface KeySummary { keyId: string; role: Role; createdAt: string; lastUsedAt: string | null; revokedAt: string | null; defaults?: KeyDefaults }

export interface DirectoryRepository {
  getOrganization(id: string): Promise<Organization | null>;
  /** Those of `ids` that exist, in no particular order. */
  getOrganizations(ids: readonly string[]): Promise<Organization[]>;
  /**
   * Creates or replaces, keeping the phone index in step (`previous` is what it replaces);
   * `created` tells which.
   */
  putOrganization(org: Organization, previous: Organization | null): Promise<{ created: boolean }>;
  /** The organizations that trust this issuer, with how. */
  trustsOfIssuer(issuer: string): Promise<IssuerTrust[]>;
  /** The contacts registered with this phone number, across organizations. */
  contactsByPhone(phone: string): Promise<Array<{ orgId: string; contact: Contact }>>;
  /** The organizations that hold at least one manager key. */
  managerOrganizations(): Promise<string[]>;
  listOrganizations(): Promise<Organization[]>;
  /** The ids among `ids` that are not in the directory. */
  missingOrganizations(ids: readonly string[]): Promise<string[]>;
  /** Stores a key; storing the same key again changes nothing. */
  putKey(key: ApiKeyRecord): Promise<void>;
  getKey(keyId: string): Promise<ApiKeyRecord | null>;
  /** Every key of the organization, revoked ones included. */
  keysOf(orgId: string): Promise<ApiKeyRecord[]>;
  /** Records a use of the key (`lastUsedAt`). */
  touchKey(keyId: string, at: string): Promise<void>;
  /** Marks the key revoked; false when there is no such key or it was already revoked. */
  revokeKey(keyId: string, at: string): Promise<boolean>;
}

/**
 * The seam for the notifications work: called after an organization is created or changed so that
 * its topic and subscriptions follow. The core ships a no-op.
 */
export interface OrganizationProvisioner { provision(org: Organization): Promise<void> }

/** A fixed-window counter shared by every instance: at most `limit` hits per window and bucket. */
export interface RateLimiter {
  consume(bucket: string, limit: number, windowSeconds: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

/** A sliding-window limit shared by every instance: at most `limit` attempts heard per bucket in any `windowSeconds`. */
export interface AttemptLimiter {
  attempt(bucket: string, limit: number, windowSeconds: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

/** The audit trail, append-only. */
export interface AuditLog {
  /** Appends entries that are not part of an incident change (reads, admin actions, failed sign-ins). */
  append(entries: readonly AuditRecord[]): Promise<void>;
  /** One incident's entries, oldest first. */
  forIncident(incidentId: string, page: AuditPageQuery): Promise<AuditPage>;
  /** Every entry in [from, to) the viewer may see one by one, oldest first, optionally of one organization's actors or one action. */
  between(query: AuditWindowQuery): Promise<AuditPage>;
  /**
   * Per acting organization (in id order), the number of distinct requests of the day whose
   * entries are about restricted incidents the viewer does not participate in (entries with an
   * unknown request id count one each).
   */
  hiddenOn(query: HiddenDayQuery): Promise<Array<{ orgId: string; count: number }>>;
}

// ---- Notifications: what is published, to whom, and what is recorded of it ----

/** One message in the shapes each SNS protocol needs. */
export interface RenderedMessage {
  /** At most 140 characters of the GSM-7 alphabet. */
  sms: string;
  email: { subject: string; body: string };
  default: string;
  /** JSON `{"type", "incident", "event"}` for the organization's HTTPS endpoints (absent on key notices). */
  https?: string;
}

export interface AckLink { contact: string; url: string }

export interface Notice {
  incident: Incident;
  ackCode: string | null;
  event: TimelineEvent;
  recipient: string;
  /** One signed acknowledgement link per contact of the recipient with an email address. */
  ackLinks: AckLink[];
}

export type Render = (notice: Notice) => RenderedMessage;

/**
 * Which of an organization's two topics: `all` its contacts, or `red` only those cleared for
 * TLP:RED (TLP 2.0: RED is for named individuals, never a whole organization).
 */
export type Audience = 'all' | 'red';

export interface PublishContext {
  incidentId?: string;
  audience?: Audience;
  /**
   * The organization's push endpoints (URLs) this message is for, as listed when it is sent: only
   * they receive it, whatever subscriptions the topic still holds. Absent: no endpoint receives it.
   */
  endpoints?: readonly string[];
  /** false: not for SMS (a correlation notice: email, the app and pushes only); SMS subscriptions filter it out. */
  sms?: false;
  /**
   * The contact ids this message is for: each contact's subscriptions filter on its id, so only
   * they receive it (an organization's escalation policy pages some of its contacts; without one,
   * every contact of the audience is named).
   */
  contacts?: readonly string[];
}

export interface NotificationPublisher {
  /** Publishes to the organization's topic for `audience` (default `all`); returns the message id. */
  publish(orgId: string, message: RenderedMessage, context: PublishContext): Promise<string>;
  /** A direct text message (replies to inbound SMS). */
  sendSms(phone: string, text: string): Promise<void>;
}

export type DeliveryStatus = 'sent' | 'failed';
export interface Delivery { incidentId: string; seq: number; orgId: string; status: DeliveryStatus }

/** One (event, organization) delivery. */
export interface DeliveryRef { incidentId: string; seq: number; orgId: string }

/** What claiming found of a delivery: claimed for this run; done (recorded: sent, or failed unless replaying); or held by another run's lease. */
export type ClaimOutcome = 'claimed' | 'done' | 'held';

export interface DeliveryLog {
  /**
   * Claims deliveries for `owner` until `now + leaseMs`, each by a conditional write made together
   * with a check that its outcome is not recorded (sent; or failed, unless `replay`), as few
   * transactions as the store allows: a delivery whose lease another owner holds is `held`, one
   * already recorded `done`. Only the claimer publishes; a claimer that dies leaves a lease that
   * expires, after which another run may claim the delivery. Recording a delivery's outcome (the
   * incident repository's commit) ends its claim in the same write.
   */
  claimAll(deliveries: readonly DeliveryRef[], owner: string, now: Date, leaseMs: number, replay?: boolean): Promise<Map<string, ClaimOutcome>>;
  /** Ends `owner`'s leases (their outcomes are recorded); a lease no longer its own is left alone. */
  releaseAll(deliveries: readonly DeliveryRef[], owner: string): Promise<void>;
  /** The statuses of one event's deliveries to `orgIds`, read together; an organization not delivered to is absent. */
  statuses(incidentId: string, seq: number, orgIds: readonly string[]): Promise<Map<string, DeliveryStatus>>;
  /** Deliveries that failed and wait for a replay, oldest first. */
  failed(limit: number): Promise<Delivery[]>;
}

export interface AckLinkSigner { link(incidentId: string, orgId: string, contact: string): Promise<string> }

// ---- API keys ----

/** A key was created: its organization's contacts are told. */
export interface KeyNotice { organization: Organization; keyId: string; role: Role; createdBy: string; at: string }
export interface KeyNotifier { keyCreated(notice: KeyNotice): Promise<void> }

// ---- Metrics: the pre-aggregated buckets ----

/**
 * What a query reads: one bucket by key, a run of buckets [from, to) of one size (read as a range:
 * the weeks of a long window, or the days before the layout's cut-over), or the part of one minute's
 * contributions inside a window.
 */
export type MetricsRead =
  | { scope: Scope; group: string; granularity: Granularity; start: string }
  | { scope: Scope; group: string; granularity: Granularity; from: string; to: string }
  | { scope: Scope; group: string; minute: string; from: string; to: string };

export interface MetricsStore {
  /**
   * Adds each contribution to its scope's bucket of each size (GRANULARITIES) and to its minute's
   * stored contributions (or, `sign` -1, takes it out); applying the same one twice changes
   * nothing. Any number at once: those of one scope and group apply in their order, and a bucket
   * they share is written once per transaction, not once per contribution.
   */
  applyMany(contributions: readonly ScopedContribution[]): Promise<void>;
  /**
   * What each read names, in order: a bucket (empty when it was never written), the merged
   * buckets of a range, or the part [from, to) of one minute's stored contributions.
   */
  readMany(reads: readonly MetricsRead[]): Promise<Aggregate[]>;
  /**
   * From when buckets of every size hold every contribution (ms since the epoch); before it, only
   * minute, hour and day buckets may be relied on (a table that an earlier release aggregated).
   * Infinity while nothing was written by this layout.
   */
  allSizesSince(): Promise<number>;
}

// ---- Chat: Slack and Microsoft Teams (domain/chat.ts, domain/chat-notifier.ts) ----

/** One (event, channel) delivery; `channel` is the channel's key (chat.ts channelKey). */
export interface ChatDelivery { incidentId: string; seq: number; orgId: string; channel: string }

/**
 * What is kept of an incident's message in one channel: Slack's `ts` once it is known; `posting`
 * from just before the first post (so a run that died between posting and recording looks the
 * message up rather than posting a second one); `red` whether it shows RED's fixed line.
 */
export interface ChatThread { ts?: string; posting?: boolean; red?: boolean }

export interface ChatLog {
  /**
   * Claims a delivery for `owner` until `now + leaseMs`, in one conditional write, and says how
   * many runs tried it before (0 the first time). `done` when it is sent or (unless `replay`) it
   * failed; `held` while another run's lease holds it.
   */
  claim(delivery: ChatDelivery, owner: string, now: Date, leaseMs: number, replay: boolean): Promise<{ attempts: number } | 'done' | 'held'>;
  /** Records the outcome (`owner`'s claim only); a failed one waits for a replay. */
  finish(delivery: ChatDelivery, owner: string, outcome: { status: 'sent' } | { status: 'failed'; error: string }): Promise<void>;
  /** Lets a claim go without an outcome (the run crashed): the next run may take it at once. */
  release(delivery: ChatDelivery, owner: string): Promise<void>;
  /** Deliveries that failed, or whose run died holding them, oldest first. */
  failed(limit: number): Promise<ChatDelivery[]>;
  thread(incidentId: string, channel: string): Promise<ChatThread | null>;
  saveThread(incidentId: string, channel: string, thread: ChatThread): Promise<void>;
}

/** Where a Slack message goes: the organization whose credentials post it, and the channel. */
export interface SlackTarget { orgId: string; team: string; channel: string }

/** Finds a message Concord posted: the root of an incident (no `seq`), or a reply about one event. */
export interface ChatMarker { incidentId: string; seq?: number }

/** The chat services, each rendering the views it is given (integrations/slack.ts, teams.ts). */
export interface ChatSender {
  /** Posts the incident's message (`root`) or a reply in its thread; returns Slack's `ts`. */
  slackPost(target: SlackTarget, view: ChatView, part: 'root' | 'reply', marker: ChatMarker, threadTs?: string): Promise<string>;
  slackUpdate(target: SlackTarget, ts: string, view: ChatView): Promise<void>;
  /** The `ts` of a message carrying `marker`, among the channel's recent messages (or a thread's replies). */
  slackFind(target: SlackTarget, marker: ChatMarker, threadTs?: string): Promise<string | null>;
  teamsPost(webhookUrl: string, view: ChatView): Promise<void>;
}

// ---- Observables: the correlation index ----

/** One page of the incidents that carry an observable, newest first; `last` is set when more may follow. */
export interface ObservablePage { incidentIds: string[]; last: string | null }

/**
 * The correlation index: for each observable (type, canonical value, platform), the incidents that
 * carry it, so a match is one query whatever the number of incidents. Written by the correlator on
 * the stream, never on a request's path; observables are never taken off an incident, so entries are
 * never removed (who may see a match is judged when it is read).
 */
export interface ObservableIndex {
  /** Lists `incidentId` under each observable; listing it again changes nothing. */
  add(incidentId: string, observables: readonly ObservableRef[]): Promise<void>;
  /** The incidents listed under `observable`, newest first, at most `limit`, after incident `after`. */
  incidentsWith(observable: ObservableRef, page: { limit: number; after?: string }): Promise<ObservablePage>;
  /**
   * What each of `otherIds` was told to incident `incidentId` so far: the keys (observables.ts
   * `observableKey`) of the shared observables its `correlated` events named. Recorded with the
   * events themselves (Change.correlations), so a redelivered stream record tells nothing twice.
   */
  told(incidentId: string, otherIds: readonly string[]): Promise<Map<string, string[]>>;
}

// ---- On call: schedules and escalation policies ----

/** A schedule as stored: its spec, and the generation its calendar feed's token is signed over (bumped to revoke it). */
export interface StoredSchedule { orgId: string; id: string; spec: ScheduleSpec; feedGeneration: number; createdAt: string; updatedAt: string }

export type EscalationTarget = { schedule: string } | { contact: string };
export interface EscalationLevel { afterMinutes: number; targets: EscalationTarget[] }
export interface EscalationPolicySpec { levels: EscalationLevel[]; repeat?: number }
export interface StoredEscalationPolicy { orgId: string; policy: EscalationPolicySpec; updatedAt: string }

export interface OnCallRepository {
  getSchedule(orgId: string, id: string): Promise<StoredSchedule | null>;
  listSchedules(orgId: string): Promise<StoredSchedule[]>;
  /**
   * Creates or replaces; `created` tells which. With `ifUpdatedAt`, only while the stored schedule
   * still has that `updatedAt` (else ConcurrentModificationError): a read-modify-write loses nothing.
   */
  putSchedule(schedule: StoredSchedule, ifUpdatedAt?: string): Promise<{ created: boolean }>;
  /** False when there was none. */
  deleteSchedule(orgId: string, id: string): Promise<boolean>;
  getPolicy(orgId: string): Promise<StoredEscalationPolicy | null>;
  /** The policies of several organizations, read together; an organization without one is absent. */
  getPolicies(orgIds: readonly string[]): Promise<Map<string, StoredEscalationPolicy>>;
  putPolicy(policy: StoredEscalationPolicy): Promise<void>;
  /** Every schedule of every organization (the shift notices' round). */
  allSchedules(): Promise<StoredSchedule[]>;
  /** Claims the notice of one shift (schedule, start, contact) in one conditional write: false when it was claimed before. */
  claimShiftNotice(orgId: string, scheduleId: string, from: string, contact: string, expiresAt: number): Promise<boolean>;
  /** Until when shift notices were sent (the last run's instant), null before the first. */
  shiftNoticesUntil(): Promise<string | null>;
  setShiftNoticesUntil(at: string): Promise<void>;
}
