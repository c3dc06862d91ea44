// Shapes of the admin API answers the dashboard reads (the OpenAPI document at /api/v1/openapi.json
// is the full reference; these are the fields the screens use).

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface Me {
  actor: string;
  kind: 'user' | 'token';
  role: 'admin' | 'auditor' | null;
  canWrite: boolean;
}

export interface RiskHealth {
  configured: boolean;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastFullAt: string | null;
  lastMode: 'full' | 'incremental' | null;
  durationMs: number | null;
  counts: { high: number; medium: number; low: number };
  needsFull: boolean;
  consecutiveFailures: number;
  lastChanges: number;
  lastError: { code: string; message: string; at: string } | null;
  staleMs: number | null;
}

export interface Overview {
  since: string;
  until: string;
  bucketMs: number;
  series: { time: string; counts: Record<string, number> }[];
  totals: Record<string, number>;
  activeSessions: number;
  risk: RiskHealth;
}

export type Rule = Record<string, unknown>;
/** Where an app, policy or rule group comes from: moatless.yaml (read-only) or the admin API. */
interface Stored {
  source: 'config' | 'api';
  etag: string | null;
  definition: Record<string, unknown> | null;
  updatedAt: string | null;
  updatedBy: string | null;
}
export interface Policy extends Stored {
  id: string;
  app: string;
  index: number;
  name: string;
  action: string;
  sessionDuration: string | null;
  include: Rule[];
  require: Rule[];
  exclude: Rule[];
}
export interface App extends Stored {
  id: string;
  name: string;
  hosts: string[];
  upstream: string;
  identityProviders: string[];
  websockets: boolean;
  policies: Policy[];
}

export interface Session {
  id: string;
  kind: 'global' | 'app';
  parentId: string | null;
  appId: string | null;
  userKey: string;
  email: string;
  idp: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

export interface AccessEntry {
  time: string;
  requestId: string;
  email: string | null;
  appId: string | null;
  host: string;
  path: string;
  method: string;
  action: string;
  policy: string | null;
  reasons: string[];
  status: number;
  durationMs: number;
  clientIp: string;
}
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export interface RiskyUser {
  userId: string;
  userPrincipalName: string;
  riskLevel: string;
  riskState: string;
  level: 'high' | 'medium' | 'low' | null;
  riskLastUpdated: string;
}
export interface RiskChange {
  time: string;
  userPrincipalName: string;
  output: string;
  groupName: string | null;
  from: string | null;
  to: string | null;
  reason: string;
}

export interface Directory {
  id: string;
  name: string;
}
export interface DirectoryUser {
  directoryId: string;
  id: string;
  userName: string;
  displayName: string | null;
  email: string | null;
  active: boolean;
  lastModified: string;
}
export interface DirectoryGroup {
  directoryId: string;
  id: string;
  displayName: string;
  memberCount: number;
}

export interface PolicyAnswer {
  app: { id: string; name: string } | null;
  refusedBeforePolicy: string | null;
  user: { email: string; provisioned: boolean; active: boolean | null; groups: string[] } | null;
  decision: { action: string; policy: string | null; reasons: string[]; stepUp: string[] | null } | null;
  policies: {
    index: number;
    name: string;
    action: string;
    matched: boolean;
    decided: boolean;
    reached: boolean;
    rules: { section: string; path: string; source: string; matched: boolean; reason: string }[];
  }[];
  explanation: string[];
}

export type TokenState = 'active' | 'revoked' | 'expired';
export interface ScimToken {
  id: string;
  name: string;
  directoryId: string;
  directory: string | null;
  state: TokenState;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface AdminToken {
  id: string;
  name: string;
  scope: 'read' | 'write';
  state: TokenState;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface TunnelToken {
  id: string;
  name: string;
  tunnel: string;
  state: TokenState;
  createdAt: string;
  revokedAt: string | null;
}
export interface ServiceToken {
  name: string;
  clientId: string;
  expiresAt: string | null;
  state: TokenState;
}
