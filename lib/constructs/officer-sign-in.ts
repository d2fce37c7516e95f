import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type Client, type Directory, isPeopleClient, RESOURCE_SERVER } from '../../src/domain/directory';
import { HARDENED_USER_POOL } from './user-pool-hardening';

/** The group every compliance officer belongs to; its name is in officers' tokens (`cognito:groups`). */
export const OFFICERS_GROUP = 'compliance-officers';
/** How long an officer's tokens last: a working session, not a day. */
const TOKEN_VALIDITY = Duration.minutes(60);

export interface OfficerSignInProps {
  directory: Directory;
  /** Prefix of the Cognito domain of the hosted UI; unique per region across AWS. */
  domainPrefix: string;
}

/**
 * Sign-in for compliance officers: people, in a user pool of their own. The machine clients' pool holds no
 * user; keeping people apart means this pool's resource server offers `audit.read` and nothing else, so
 * no setting of a client or a user can give a person another scope, and every user of the pool is an
 * officer (self sign-up off: an administrator creates each one and adds them to the group). MFA (TOTP)
 * is required, threat protection blocks risky sign-ins, and the console's public client uses the hosted
 * UI with the authorization code grant only.
 */
export class OfficerSignIn extends Construct {
  readonly userPool: cognito.UserPool;
  readonly group: cognito.UserPoolGroup;
  readonly domain: cognito.UserPoolDomain;
  private readonly auditRead: cognito.OAuthScope;
  /** The directory's client for people: the console. */
  readonly consoleClientSpec: Client;

  constructor(scope: Construct, id: string, props: OfficerSignInProps) {
    super(scope, id);
    const consoleClient = props.directory.clients.find(isPeopleClient);
    if (!consoleClient) throw new Error('the directory has no client for people (`"kind": "people"`)');
    if (consoleClient.scopes.join() !== 'audit.read') {
      throw new Error(`the console client may hold audit.read only, not ${consoleClient.scopes.join(', ')}`);
    }
    this.consoleClientSpec = consoleClient;
    this.userPool = this.createUserPool();
    this.group = this.userPool.addGroup('ComplianceOfficers', {
      groupName: OFFICERS_GROUP,
      description: 'Compliance officers: may sign in to the console and read the access log',
    });
    const readScope = new cognito.ResourceServerScope({
      scopeName: 'audit.read',
      scopeDescription: 'Read and verify the access log',
    });
    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: 'Himaya API for officers',
      scopes: [readScope],
    });
    this.auditRead = cognito.OAuthScope.resourceServer(resourceServer, readScope);
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
  }

  private createUserPool(): cognito.UserPool {
    return new cognito.UserPool(this, 'UserPool', {
      userPoolName: 'himaya-officers',
      ...HARDENED_USER_POOL,
      signInAliases: { username: true },
      signInCaseSensitive: false,
    });
  }

  /** The hosted UI's base URL: `/oauth2/authorize`, `/oauth2/token` and `/logout` are under it. */
  get authBase(): string {
    return this.domain.baseUrl();
  }

  /**
   * The console's public client: no secret, the authorization code grant only, back to the console's own
   * URL. Cognito checks the verifier of every code whose authorization carried a PKCE challenge; the
   * console always sends one (S256), so its codes are worthless without the verifier it keeps.
   */
  addConsoleClient(consoleUrl: string): cognito.UserPoolClient {
    return this.userPool.addClient('ConsoleClient', {
      userPoolClientName: this.consoleClientSpec.id,
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, this.auditRead],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      // The hosted UI signs people in (SRP, then TOTP); the console itself never handles a password.
      authFlows: { userSrp: true },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: TOKEN_VALIDITY,
      idTokenValidity: TOKEN_VALIDITY,
      // Cognito's shortest; the console keeps tokens in memory and never uses the refresh token.
      refreshTokenValidity: TOKEN_VALIDITY,
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
  }
}
