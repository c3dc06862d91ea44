// The "would this lock every admin out?" check for API config writes. In Moatless the admin surface
// (sign-in, /admin/, /api/v1) lives on the auth host and the admin role comes from
// admin.adminGroups — neither is an app or a policy, and the API cannot change either. So the one
// way an API object could reach the admin surface is an app claiming the auth host: exactly (the
// file validation refuses that already) or through a wildcard (`*.example.com` covers
// auth.example.com). The server answers the auth host before any app route today; this check keeps
// that true whatever the routing order becomes. Pure.
import type { ResolvedConfig } from '../../config/load.ts';

/** Why `cfg` would lock every admin out of the admin surface, or null when it would not. */
export function adminLockout(cfg: ResolvedConfig): string | null {
  const authHost = new URL(cfg.server.authUrl).hostname.toLowerCase();
  const apiApps = new Set(cfg.apiObjects.filter((o) => o.kind === 'app').map((o) => o.id));
  for (const app of cfg.apps) {
    if (!apiApps.has(app.id)) continue;
    for (const h of app.hosts) {
      const covers = h.host === authHost || (h.wildcard && authHost.endsWith(h.host.slice(1)));
      if (!covers) continue;
      return `app "${app.id}" host "${h.host}${h.pathPrefix === '/' ? '' : h.pathPrefix}" covers the auth host ${authHost}, `
        + 'where admins sign in and the dashboard and admin API live: its policies would stand between every admin and the admin surface';
    }
  }
  return null;
}
