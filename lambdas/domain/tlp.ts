/** Traffic Light Protocol 2.0: the labels, and which of them never leave an incident's participants. */

export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLPS)[number];

/** TLP 2.0's labels that never leave the participants. */
export const RESTRICTED_TLPS = ['AMBER+STRICT', 'RED'] as const satisfies readonly Tlp[];
const STRICT_TLPS: ReadonlySet<Tlp> = new Set(RESTRICTED_TLPS);

/** TLP RED and AMBER+STRICT are never shown or sent outside `participants`. */
export const isRestricted = (tlp: Tlp): boolean => STRICT_TLPS.has(tlp);
