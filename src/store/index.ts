// The store's public face: ports, errors and openStore. Other capabilities import from here (or
// ports.ts for types); nothing outside src/store sees SQL, a driver or an adapter.
export type * from './ports.ts';
export { openStore, type StoreConfig, type StoreOptions } from './open-store.ts';
export { StoreConflictError, StoreError, StoreUnavailableError, StoreUnsupportedFilterError, StoreVersionError, type StoreErrorCode } from './errors.ts';
