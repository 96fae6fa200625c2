/**
 * Who acts: the authenticated caller (a system's API key or a signed-in person), the role it
 * carries, and the actor a timeline event or an audit entry names. Nothing here imports anything.
 */

/** The channel an action came through. */
export const VIAS = ['api', 'sms', 'email', 'slack'] as const;
export type Via = (typeof VIAS)[number];

/** The role a caller's API key carries. */
export type Role = 'partner' | 'manager' | 'admin';
export const ROLES = ['partner', 'manager', 'admin'] as const satisfies readonly Role[];

/**
 * The authenticated caller, as the authorizer established it: a system holding an API key
 * (`keyId`), or a person whose token an identity provider of the organization signed
 * (`person`, and `keyId` empty). `requestId` names the request, for the audit trail.
 */
export interface Caller { orgId: string; role: Role; keyId: string; person?: Person; requestId?: string }

/** An organization as the visibility rule sees it: its partners (a participant's least right), as its verified channels (a link, a phone) and its messages are shown. */
export const partnerOf = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: '' });

/** A person, as their organization's identity provider vouches for them. */
/**
 * `email`: the address the identity provider vouches for (its `email` claim, unless it says
 * `email_verified: false`); it ties the person to their organization's contact of that address
 * (taking a shift on call).
 */
export interface Person { id: string; name: string; email?: string }

/**
 * Who did something: an organization, optionally a named person, and the channel; `keyId` names
 * the API key that made the request, so every change can be traced to the credential used.
 * A person signed in through their organization's identity provider carries `personId`
 * (`<issuer>#<sub>`), and `by` is then their verified name, never typed.
 */
export interface Actor { orgId: string; by: string | null; via: Via; keyId?: string; personId?: string }

/** Events the service itself writes: notifications and escalations. */
export const SYSTEM_ORG = 'concord';
export const systemActor = (by: 'notifier' | 'escalation' | 'update reminder' | 'correlation'): Actor => ({ orgId: SYSTEM_ORG, by, via: 'api' });

/** An API caller: its organization and, when known, the key it used or the person. */
export type ActorRef = Pick<Caller, 'orgId'> & { keyId?: string; person?: Person };

/** A person's actor always carries their verified name; a system's carries what it typed. */
export const actorOf = (caller: ActorRef, by: string | null = null, via: Via = 'api'): Actor =>
  caller.person
    ? { orgId: caller.orgId, by: caller.person.name, via, personId: caller.person.id }
    : { orgId: caller.orgId, by, via, ...(caller.keyId ? { keyId: caller.keyId } : {}) };
