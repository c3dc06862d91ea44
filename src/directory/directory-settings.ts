// Per-directory provisioning settings, kept in the store's key-value namespace `directory.settings`
// (one JSON value per directory id). Owns: their shape, defaults and validation. Must not: decide
// what a setting does — provisioning-effects.ts applies them.
import type { KeyValueStore } from '../store/ports.ts';

const NS = 'directory.settings';

export interface DirectorySettings {
  /**
   * Revoke a user's sessions when a SCIM change leaves them in no group of this directory. Off by
   * default: Entra assigns users to the app directly as often as through groups, and a directly
   * assigned user legitimately has no group.
   */
  deprovisionOnNoGroups: boolean;
}

export const DEFAULT_SETTINGS: DirectorySettings = { deprovisionOnNoGroups: false };

export async function getDirectorySettings(kv: KeyValueStore, directoryId: string): Promise<DirectorySettings> {
  const text = await kv.get(NS, directoryId);
  if (text === null) return { ...DEFAULT_SETTINGS };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  const v = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  return { deprovisionOnNoGroups: v['deprovisionOnNoGroups'] === true };
}

export async function setDirectorySettings(kv: KeyValueStore, directoryId: string, patch: Partial<DirectorySettings>): Promise<DirectorySettings> {
  const next = { ...(await getDirectorySettings(kv, directoryId)), ...patch };
  await kv.set(NS, directoryId, JSON.stringify(next));
  return next;
}
