/**
 * The stage's default identity provider for people: a Cognito user pool with hosted sign-in, an
 * app client for the responders' web app (authorization code with PKCE, no client secret in the
 * browser), and the groups that map to roles. Organizations may federate their own identity
 * providers into it (SAML or OIDC, `UserPoolIdentityProvider*`), or skip it and have Concord trust
 * their issuer directly (an `identity` entry in the directory).
 *
 * Concord trusts the pool like any issuer: an organization's directory entry names it —
 * `{"issuer": <PeopleIssuer>, "audience": <PeopleAppClientId>, "rolesClaim": "cognito:groups",
 *   "roles": {"concord-managers": "manager", "concord-admins": "admin"}, "orgClaim": "custom:org"}` —
 * and the app sends Cognito's ID token (its `aud` is the app client; Cognito's access tokens
 * carry no `aud`).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, OAuthScope, StringAttribute, UserPool, UserPoolClient,
  UserPoolClientIdentityProvider, StandardThreatProtectionMode,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface PeopleSignInProps {
  stage: string;
  /** Where the web app receives the authorization code, e.g. `https://…/prod/app`. */
  appUrl: string;
}

export const ROLE_GROUPS = { 'concord-managers': 'manager', 'concord-admins': 'admin' } as const;
/** The claim of the pool's tokens that names the person's organization (the custom attribute `org`). */
export const ORG_CLAIM = 'custom:org';

export class PeopleSignIn extends Construct {
  readonly userPool: UserPool;
  readonly appClient: UserPoolClient;
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: PeopleSignInProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.userPool = new UserPool(this, 'Pool', {
      userPoolName: `concord-${props.stage}-people`,
      // People are invited by their organization's admin (or federated); nobody signs up alone.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 14, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // The organization a person acts for: set by an admin, never by the person.
      customAttributes: { org: new StringAttribute({ minLen: 2, maxLen: 40, mutable: true }) },
    });
    this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: `concord-${props.stage}-${stack.account}` } });
    this.appClient = this.userPool.addClient('App', {
      userPoolClientName: 'concord-app',
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [props.appUrl],
        logoutUrls: [props.appUrl],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    for (const group of Object.keys(ROLE_GROUPS)) {
      new CfnUserPoolGroup(this, group, { userPoolId: this.userPool.userPoolId, groupName: group, description: `Concord role: ${ROLE_GROUPS[group as keyof typeof ROLE_GROUPS]}` });
    }
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
  }
}
