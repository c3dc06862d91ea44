// Entra ID national clouds: one `cloud` setting picks the authority (sign-in) and Microsoft Graph
// hosts. GCC uses the global hosts; GCC High and DoD the `.us` ones; China is operated by 21Vianet.
// Source: Microsoft Graph "national cloud deployments"; entra-graph-risk.md §3.
import type { EntraIdpConfig } from '../../config/schema/identity.ts';

export type EntraCloud = EntraIdpConfig['cloud'];

export interface CloudProfile {
  authorityHost: string;
  graphHost: string;
  /** Identity Protection (risky users) is not offered in every cloud. */
  riskyUsersApi: boolean;
  portal: string;
}

export const CLOUDS: Record<EntraCloud, CloudProfile> = {
  global: { authorityHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com', riskyUsersApi: true, portal: 'portal.azure.com' },
  usgov: { authorityHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com', riskyUsersApi: true, portal: 'portal.azure.com' },
  usgovhigh: { authorityHost: 'login.microsoftonline.us', graphHost: 'graph.microsoft.us', riskyUsersApi: true, portal: 'portal.azure.us' },
  dod: { authorityHost: 'login.microsoftonline.us', graphHost: 'dod-graph.microsoft.us', riskyUsersApi: true, portal: 'portal.azure.us' },
  china: { authorityHost: 'login.partner.microsoftonline.cn', graphHost: 'microsoftgraph.chinacloudapi.cn', riskyUsersApi: false, portal: 'portal.azure.cn' },
};

export interface EntraEndpoints {
  /** `https://{authority}/{tenant}/v2.0` — the issuer and the discovery base. */
  issuer: string;
  tokenUrl: string;
  graphBase: string;
}

/** The URLs for a tenant; `authorityUrl`/`graphUrl` overrides (emulator) replace the hosts only. */
export function entraEndpoints(cfg: Pick<EntraIdpConfig, 'cloud' | 'tenantId' | 'authorityUrl' | 'graphUrl'>): EntraEndpoints {
  const cloud = CLOUDS[cfg.cloud];
  const authority = (cfg.authorityUrl ?? `https://${cloud.authorityHost}`).replace(/\/$/, '');
  const graph = (cfg.graphUrl ?? `https://${cloud.graphHost}`).replace(/\/$/, '');
  return {
    issuer: `${authority}/${cfg.tenantId}/v2.0`,
    tokenUrl: `${authority}/${cfg.tenantId}/oauth2/v2.0/token`,
    graphBase: graph,
  };
}

export interface CloudCapabilities {
  cloud: EntraCloud;
  riskyUsersApi: boolean;
  /** What this cloud lacks, in words for `config check` and the dashboard; null when nothing. */
  message: string | null;
}

/** Features that depend on the cloud (Graph riskyUser pages list China as unsupported, reference §3). */
export function cloudCapabilities(cloud: EntraCloud): CloudCapabilities {
  const p = CLOUDS[cloud];
  return {
    cloud,
    riskyUsersApi: p.riskyUsersApi,
    message: p.riskyUsersApi ? null
      : `Entra ID Protection (risky users) is not available in the ${cloud} cloud (${p.graphHost}); the risk sync cannot run for this identity provider`,
  };
}
