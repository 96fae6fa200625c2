/** Where the responders' app signs people in: read by get-app, set by the stack and by `npm start`. */
export const APP_ENV = {
  issuer: 'CONCORD_APP_ISSUER',
  clientId: 'CONCORD_APP_CLIENT_ID',
  resource: 'CONCORD_APP_RESOURCE',
  scope: 'CONCORD_APP_SCOPE',
  /** `access_token` (default) or `id_token`: which token the app sends to the API (Cognito: `id_token`). */
  sendToken: 'CONCORD_APP_SEND_TOKEN',
  /** Origins beyond the issuer's that the page must reach (Cognito's token endpoint is on its hosted domain). */
  extraOrigins: 'CONCORD_APP_CONNECT_ORIGINS',
  /** The token claim that names the person's organization, for display (default `org`; Cognito: `custom:org`). */
  orgClaim: 'CONCORD_APP_ORG_CLAIM',
} as const;
