// The tunnel capability's ports: connector tokens and the live connections each edge replica
// holds. Owns: shapes and contracts. Must not: know how tokens are made or compared (src/tunnel).
export interface TunnelTokenRecord {
  id: string;
  /** Operator's label, unique among live tokens (`--name`). */
  name: string;
  /** The tunnel this token lets a connector serve (`upstream: tunnel:<name>`). */
  tunnel: string;
  /** sha256 hex of the token; the token itself is never stored. */
  hash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface TunnelTokensRepo {
  /** revokedAt starts null. Throws StoreConflictError('id' | 'hash'). */
  create(t: Omit<TunnelTokenRecord, 'revokedAt'>): Promise<void>;
  /** Exact hash lookup, revoked tokens included (the caller judges), or null. */
  findByHash(hash: string): Promise<TunnelTokenRecord | null>;
  /** The token by id, or null. */
  get(id: string): Promise<TunnelTokenRecord | null>;
  /** Every token, oldest first. */
  list(): Promise<TunnelTokenRecord[]>;
  /** Sets revokedAt once; true if it was unrevoked. */
  revoke(id: string, at: number): Promise<boolean>;
}

/** One connector connection as the edge replica holding it sees it. */
export interface TunnelConnectionRecord {
  id: string;
  tunnel: string;
  tokenId: string;
  /** Random per connector process: several rows with one connectorId are one replica's connections. */
  connectorId: string;
  version: string;
  /** The connector's host name as it reports it. */
  hostname: string;
  /** The connector's address as the edge sees it. */
  address: string;
  /** The edge replica holding the connection (host:pid). */
  edge: string;
  /** Connections the connector keeps to this edge (its `--connections`). */
  wanted: number;
  connectedAt: number;
  /** Refreshed by the edge while the connection lives; stale rows are of dead replicas. */
  lastSeenAt: number;
  /** Where the holding replica accepts relayed requests (tunnel.relay.url); null/absent: it does not. */
  relayUrl?: string | null;
}

export interface TunnelConnectionsRepo {
  /** Inserts or replaces the row with this id. */
  put(c: TunnelConnectionRecord): Promise<void>;
  /** Sets lastSeenAt on every listed id (ids that are gone are ignored). */
  touch(ids: string[], at: number): Promise<void>;
  /** Deletes the row if present. */
  remove(id: string): Promise<void>;
  /** Rows with lastSeenAt ≥ since, by tunnel, connector, then connectedAt. */
  listSince(since: number): Promise<TunnelConnectionRecord[]>;
  /** Deletes rows with lastSeenAt < before; returns how many. */
  purgeBefore(before: number): Promise<number>;
}

export interface TunnelStore {
  readonly tokens: TunnelTokensRepo;
  readonly connections: TunnelConnectionsRepo;
}
