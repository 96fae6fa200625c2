// What the app's modules share: the tab's storage and the session. Tokens live in this tab
// (sessionStorage), never in localStorage.

export const store = sessionStorage; // this tab only, by design
export const S_SESSION = 'concord-session';
export const S_PENDING = 'concord-sign-in';
export const S_DRAFT = 'concord-draft:';
/** Set just before a silent re-sign-in, cleared by the API's next answer that is not a 401: at most one per sign-in. */
export const S_REAUTH = 'concord-reauthenticating';
/** Set by signing out: the next sign-in asks who it is rather than ride the provider's session. */
export const S_SIGNED_OUT = 'concord-signed-out';

export const state = {
  /** GET app/config.json: where people sign in. */
  config: { issuer: null },
  /** {kind: 'oidc'|'key', token, expiresAt?, claims?} */
  session: null,
  isManager: false,
  /** An admin manages the directory: it neither reads nor reports incidents. */
  isAdmin: false,
  /** The incident shown, for polling: {id, status, version, restricted, key, formsFor} or {id, missing}. */
  shown: null,
  /** GET v1/directory's organizations, once loaded. */
  directory: null,
};

/** The person's organization, from the claim config.json names (Cognito's is `custom:org`); for display only. */
export const orgOf = (claims) => claims?.[state.config.orgClaim || 'org'];
