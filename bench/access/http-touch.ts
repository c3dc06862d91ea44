// A keep-alive HTTP client for the benchmark's own requests (preflight checks, touching every
// session): node:http so the Host header can name a protected app while we connect to 127.0.0.1.
import { Agent, request } from 'node:http';
import { request as tlsRequest, type Agent as TlsAgent } from 'node:https';

export interface Answer {
  status: number;
  bytes: number;
}

/** `tls`: over HTTPS with `agent` an https.Agent (the bench's certificate is self-signed). */
export function get(agent: Agent | TlsAgent, port: number, host: string, cookie: string, path = '/', tls = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port, path, agent, headers: { host, cookie } };
    const onRes = (res: import('node:http').IncomingMessage) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    };
    const req = tls ? tlsRequest({ ...opts, agent: agent as TlsAgent }, onRes) : request({ ...opts, agent: agent as Agent }, onRes);
    req.on('error', reject);
    req.end();
  });
}

/** Sends one request per cookie with `concurrency` in flight; returns how many were not 200. */
export async function touchAll(port: number, host: string, cookies: readonly string[], concurrency = 32): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < cookies.length) {
      const c = cookies[next++]!;
      if ((await get(agent, port, host, c)).status !== 200) failed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    agent.destroy();
  }
  return failed;
}
