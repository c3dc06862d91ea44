// Admin API: a SCIM directory's provisioning settings (today: deprovision users a change leaves in
// no group) — read, and change with PATCH, audited with before and after. What `moatless scim
// directory set --url` calls. Owns: these two operations. Must not: decide what a setting does
// (src/directory/provisioning-effects.ts applies them).
import { z } from 'zod';
import { getDirectorySettings, setDirectorySettings } from '../../directory/directory-settings.ts';
import type { ApiDeps } from './common.ts';
import { pickDirectory } from './directory-routes.ts';
import { defineRoute, type Route } from './route.ts';

const params = z.strictObject({ directory: z.string().min(1).max(200).meta({ description: 'Directory id or name.' }) });
const settingsSchema = z.object({
  directoryId: z.string(), directory: z.string(),
  deprovisionOnNoGroups: z.boolean().meta({ description: 'Revoke a user\'s sessions when a SCIM change leaves them in no group of this directory.' }),
}).meta({ id: 'DirectorySettings' });

export function directorySettingsRoutes(deps: ApiDeps): Route[] {
  const kv = deps.store.kv;
  return [
    defineRoute({
      method: 'get', path: '/directory/directories/{directory}/settings', operationId: 'getDirectorySettings', tag: 'directory', access: 'read',
      summary: 'A SCIM directory\'s provisioning settings', params, response: settingsSchema,
      async handle({ params: p }) {
        const dir = await pickDirectory(deps.store, p.directory);
        return { directoryId: dir.id, directory: dir.name, ...(await getDirectorySettings(kv, dir.id)) };
      },
    }),
    defineRoute({
      method: 'patch', path: '/directory/directories/{directory}/settings', operationId: 'updateDirectorySettings', tag: 'directory', access: 'write',
      summary: 'Change a SCIM directory\'s provisioning settings (fields left out keep their value)', params,
      body: z.strictObject({ deprovisionOnNoGroups: z.boolean().optional() }).meta({ id: 'DirectorySettingsPatch' }),
      response: settingsSchema,
      async handle({ params: p, body }, ctx) {
        const dir = await pickDirectory(deps.store, p.directory);
        const before = await getDirectorySettings(kv, dir.id);
        const after = await setDirectorySettings(kv, dir.id, body.deprovisionOnNoGroups === undefined ? {} : { deprovisionOnNoGroups: body.deprovisionOnNoGroups });
        await ctx.audit({ action: 'directory.settings', target: `directory:${dir.name}`, before: { ...before }, after: { ...after } });
        return { directoryId: dir.id, directory: dir.name, ...after };
      },
    }),
  ];
}
