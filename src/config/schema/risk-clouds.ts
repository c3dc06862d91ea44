// Which Entra clouds lack Identity Protection's riskyUsers API (Graph's riskyUser pages: China ✗;
// reference §3). Kept beside the config so `config check` needs no identity code; clouds.ts agrees.
export const CLOUD_WITHOUT_RISKY_USERS: ReadonlySet<string> = new Set(['china']);
