/** Traffic Light Protocol 2.0: the labels, and which of them never leave an incident's participants. */

export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLPS)[number];

/** TLP 2.0's labels that never leave the participants. */
export const RESTRICTED_TLPS = ['AMBER+STRICT', 'RED'] as const satisfies readonly Tlp[];
const STRICT_TLPS: ReadonlySet<Tlp> = new Set(RESTRICTED_TLPS);

/** TLP RED and AMBER+STRICT are never shown or sent outside `participants`. */
export const isRestricted = (tlp: Tlp): boolean => STRICT_TLPS.has(tlp);

/** TLP 2.0's labels that may be shared within the community: every organization of the directory reads them. */
export const COMMUNITY_TLPS = ['CLEAR', 'GREEN'] as const satisfies readonly Tlp[];
const SHARED_TLPS: ReadonlySet<Tlp> = new Set(COMMUNITY_TLPS);

/** TLP CLEAR and GREEN: readable by every organization of the directory (only participants act on them). */
export const isCommunity = (tlp: Tlp): boolean => SHARED_TLPS.has(tlp);
