// The fields both floor proxies drop from what they pass on: hop-by-hop ones (RFC 9110 §7.6.1), and
// Host, which they set to the upstream's. One list, so the two floors do the same work.
export const FLOOR_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'proxy-connection']);
