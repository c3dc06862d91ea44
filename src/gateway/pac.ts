// The per-user PAC file (Proxy Auto-Configuration): everything through the gateway except plain
// host names and the auth host itself (where the devices page and the CA certificate live).
// Pure: returns the file's text.

/** JavaScript string literal, for values placed in the PAC file. */
const lit = (s: string) => JSON.stringify(s);

export function pacFile(proxy: string, authHost: string, forUser: string): string {
  return `// Moatless Gateway proxy auto-configuration for ${forUser.replace(/[^\w@.+-]/g, '')}
function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ${lit(authHost)}) || host === ${lit(authHost)}) return "DIRECT";
  return ${lit(`PROXY ${proxy}`)};
}
`;
}
