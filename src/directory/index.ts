// Public face of the directory capability: the SCIM service, its HTTP mount, tokens, settings,
// deprovisioning effects and live directory facts. The protocol core is ./scim/index.ts.
export { handleScim } from './scim-service.ts';
export type { GroupChangeHook, ScimAudit, ScimContext, ScimRequest, ScimResponse, ScimServiceDeps } from './scim-types.ts';
export { scimMount, SCIM_PREFIX } from './http/scim-mount.ts';
export type { ScimMountOptions } from './http/scim-mount.ts';
export { createScimToken, ensureDirectory, hashToken, verifyBearer, TOKEN_PREFIX } from './scim-tokens.ts';
export { getDirectorySettings, setDirectorySettings, DEFAULT_SETTINGS } from './directory-settings.ts';
export type { DirectorySettings } from './directory-settings.ts';
export { DIRECTORY_CHANGED_TOPIC, DEPROVISION_REASON } from './provisioning-effects.ts';
export type { DirectoryChangedNotice } from './provisioning-effects.ts';
export { createDirectoryFacts, loadDirectoryFacts } from './directory-facts.ts';
