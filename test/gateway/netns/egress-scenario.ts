// Runs INSIDE a private network namespace (egress-netns.test.ts creates it with `unshare -n`):
// 169.254.169.254 is a local address there, held by a listener that records every connection, so
// a mistaken dial is caught and no packet can leave this machine. Prints one JSON line of results.
import { createServer } from 'node:net';
import { startGatewayStack } from '../harness.ts';

const hits: string[] = [];
const metadata = createServer((sock) => {
  hits.push('metadata');
  sock.end('HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nsecret');
});
await new Promise<void>((r) => metadata.listen(80, '169.254.169.254', () => r()));

const s = await startGatewayStack({
  names: { 'metadata.test': '169.254.169.254', 'rebind.test': '169.254.169.254' },
  gateway: {
    rules: [
      { name: 'Admins may reach metadata', action: 'allow', when: { and: [{ userEmail: { is: 'admin@contoso.com' } }, { destinationIp: { is: '169.254.169.254' } }] } },
      { name: 'Local test upstream', action: 'allow', when: { and: [{ destinationIp: { is: '127.0.0.1' } }, { host: { is: 'app1.example.com' } }] } },
    ],
  },
});
const user = (await s.createCredential(await s.signIn('alice@contoso.com'))).auth;
const admin = (await s.createCredential(await s.signIn('admin@contoso.com'))).auth;
const out: Record<string, unknown> = {};
for (const target of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0251.0376.0251.0376/', 'http://[::ffff:169.254.169.254]/', 'http://metadata.test/', 'http://rebind.test/']) {
  out[target] = (await s.proxy('GET', target, { 'proxy-authorization': user })).status;
}
out['own auth listener'] = (await s.proxy('GET', `http://127.0.0.1:${s.authPort}/`, { 'proxy-authorization': user })).status;
out['own listener for admin'] = (await s.proxy('GET', `http://127.0.0.1:${s.gwPort}/`, { 'proxy-authorization': admin })).status;
out['loopback not allowed'] = (await s.proxy('GET', `http://127.0.0.1:${s.upstream.port}/`, { 'proxy-authorization': user })).status;
out.connect = (await s.rawProxy(`CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\nProxy-Authorization: ${user}\r\n\r\n`)).slice(0, 12);
out.hitsBeforeAdmin = hits.length;
out.admin = (await s.proxy('GET', 'http://metadata.test/', { 'proxy-authorization': admin })).status;
out.hits = hits.length;
out.dialled = s.dialled;
await s.close();
metadata.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
