import { Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import {
  type Client,
  type Directory,
  isPeopleClient,
  RESOURCE_SERVER,
  SCOPES,
  type Scope,
} from '../../src/domain/directory';
import { HARDENED_USER_POOL } from './user-pool-hardening';

const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'cases.read': 'Read cases the agency owns or that are shared with it',
  'cases.write': 'Create and update cases, add notes',
  exchange: 'Share cases, request access, decide requests, emergency access',
  'audit.read': 'Read and verify the access log',
  'stats.read': 'Read de-identified statistics',
};

export interface HimayaUserPoolProps {
  /** Each client of the directory gets an app client with its scopes. */
  directory: Directory;
  /** Prefix of the Cognito domain that serves `/oauth2/token`; unique per region across AWS. */
  domainPrefix: string;
}

/**
 * Identity: a Cognito user pool for machine clients only (OAuth2 client credentials), its resource server
 * `himaya` with one scope per entry of `SCOPES` (tokens carry `himaya/<scope>`), one app client per client
 * of the agency directory, and the Cognito domain that serves the token endpoint.
 */
export class HimayaUserPool extends cognito.UserPool {
  readonly resourceServer: cognito.UserPoolResourceServer;
  /** Directory client id → its Cognito app client. */
  readonly clients: ReadonlyMap<string, cognito.UserPoolClient>;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: HimayaUserPoolProps) {
    super(scope, id, {
      userPoolName: 'himaya',
      // No person signs in to this pool; should one ever be added, the same rules hold for them.
      ...HARDENED_USER_POOL,
    });
    const scopes = new Map(
      SCOPES.map((name) => [
        name,
        new cognito.ResourceServerScope({ scopeName: name, scopeDescription: SCOPE_DESCRIPTIONS[name] }),
      ]),
    );
    this.resourceServer = this.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: 'Himaya API',
      scopes: [...scopes.values()],
    });
    this.clients = new Map(
      props.directory.clients
        // People sign in elsewhere, with a public client of their own.
        .filter((client) => !isPeopleClient(client))
        .map((client) => [client.id, this.addAppClient(client, scopes)]),
    );
    this.domain = this.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
  }

  /** Token endpoint clients call for an access token (OAuth2 client credentials). */
  get tokenUrl(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }

  /** A confidential client-credentials app client with short-lived tokens and the client's scopes. */
  private addAppClient(
    client: Client,
    scopes: ReadonlyMap<Scope, cognito.ResourceServerScope>,
  ): cognito.UserPoolClient {
    return this.addClient(`Client-${client.id}`, {
      userPoolClientName: `himaya-${client.id}`,
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: client.scopes.map((name) =>
          cognito.OAuthScope.resourceServer(
            this.resourceServer,
            scopes.get(name) as cognito.ResourceServerScope,
          ),
        ),
      },
      accessTokenValidity: Duration.minutes(30),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
  }
}

/** Region-unique default for the Cognito domain prefix. */
export function defaultDomainPrefix(scope: Construct): string {
  return `himaya-${Stack.of(scope).account}`;
}
