import * as z from 'zod';

/** Scopes of the resource server; a route needs at most one of them. */
export const SCOPES = ['cases.read', 'cases.write', 'exchange', 'audit.read', 'stats.read'] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

/** The Cognito resource server: access tokens carry scopes as `himaya/<scope>`. */
export const RESOURCE_SERVER = 'himaya';
export const scopeClaim = (scope: Scope) => `${RESOURCE_SERVER}/${scope}`;

/** The scopes of a token's `scope` claim that belong to this resource server. */
export function scopesOfClaim(claim: unknown): Scope[] {
  return String(claim ?? '')
    .split(' ')
    .flatMap((entry) => {
      // Exactly `himaya/<scope>`, as the Cognito authorizer matches it: `himaya/exchange/x` is no scope.
      const parts = entry.split('/');
      const parsed = ScopeSchema.safeParse(parts[1]);
      return parts.length === 2 && parts[0] === RESOURCE_SERVER && parsed.success ? [parsed.data] : [];
    });
}

export const AgencyIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,31}$/, 'an agency id is 2-32 lowercase letters, digits or hyphens');

const BilingualNameSchema = z.strictObject({
  en: z.string().min(1).max(200),
  ar: z.string().min(1).max(200),
});

export const AgencySchema = z.strictObject({
  id: AgencyIdSchema,
  name: BilingualNameSchema,
  kind: z.enum(['social-services', 'police', 'health', 'education', 'prosecution', 'other']),
  /** The agency's own KMS key: its cases are encrypted under it. Absent in the file, set at deploy/start. */
  keyArn: z.string().min(1).optional(),
});
export type Agency = z.infer<typeof AgencySchema>;

export const ClientSchema = z.strictObject({
  id: z.string().min(1).max(128),
  /** The organisation the client acts for: an agency, or an oversight body such as the compliance office. */
  agency: AgencyIdSchema,
  scopes: z.array(ScopeSchema).min(1),
  /**
   * Who holds the client's tokens. `machine` (the default): an agency system, with client-credentials
   * tokens, naming the officer it acts for in `X-Himaya-User`. `people`: a public client that people sign
   * in through (authorization code + PKCE), whose tokens name the signed-in person (`username`).
   */
  kind: z.enum(['machine', 'people']).optional(),
});
export type Client = z.infer<typeof ClientSchema>;

export const DirectorySchema = z
  .strictObject({
    agencies: z.array(AgencySchema).min(1),
    oversight: z.array(z.strictObject({ id: AgencyIdSchema, name: BilingualNameSchema })).default([]),
    clients: z.array(ClientSchema).min(1),
  })
  .superRefine((directory, ctx) => {
    const organisations = new Set([...directory.agencies, ...directory.oversight].map((o) => o.id));
    if (organisations.size !== directory.agencies.length + directory.oversight.length) {
      ctx.addIssue({ code: 'custom', message: 'organisation ids must be unique', path: ['agencies'] });
    }
    const oversight = new Set(directory.oversight.map((o) => o.id));
    directory.clients.forEach((client, i) => {
      // People sign in only as compliance officers: for an oversight body, to read the access log.
      if (
        isPeopleClient(client) &&
        (!oversight.has(client.agency) || client.scopes.some((s) => s !== 'audit.read'))
      ) {
        ctx.addIssue({
          code: 'custom',
          message: 'a client for people belongs to an oversight body and holds audit.read only',
          path: ['clients', i],
        });
      }
      if (!organisations.has(client.agency)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown organisation ${client.agency}`,
          path: ['clients', i],
        });
      }
    });
  });
export type Directory = z.infer<typeof DirectorySchema>;

/** Public view of an agency, as `GET /v1/agencies` shows it. */
export const AgencyViewSchema = AgencySchema.omit({ keyArn: true });
export type AgencyView = z.infer<typeof AgencyViewSchema>;

export function listAgencies(directory: Directory): AgencyView[] {
  return directory.agencies.map(({ keyArn: _keyArn, ...view }) => view);
}

/** Whether people sign in through the client (its tokens name them), rather than an agency system. */
export function isPeopleClient(client: Client): boolean {
  return client.kind === 'people';
}

export function findClient(directory: Directory, clientId: string): Client | undefined {
  return directory.clients.find((client) => client.id === clientId);
}

export function findAgency(directory: Directory, agencyId: string): Agency | undefined {
  return directory.agencies.find((agency) => agency.id === agencyId);
}
