// A client of the gateway's CONNECT tunnels for tests: open a tunnel with a proxy credential, then
// one HTTPS request over TLS inside it (trusting only `ca`), read to the end.
import { connect as netConnect, type Socket } from 'node:net';
import * as tls from 'node:tls';

export function connectTunnel(gwPort: number, auth: string, target: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = netConnect(gwPort, '127.0.0.1');
    sock.once('error', reject);
    sock.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: ${auth}\r\n\r\n`);
    let got = '';
    const onData = (c: Buffer) => {
      got += c.toString('latin1');
      if (!got.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      if (!got.startsWith('HTTP/1.1 200')) reject(new Error(got.split('\r\n')[0]));
      else resolve(sock);
    };
    sock.on('data', onData);
  });
}

export async function httpsGet(gwPort: number, auth: string, target: string, host: string, path: string, ca: string): Promise<{ text: string; issuer: string; alpn: string | false }> {
  const sock = await connectTunnel(gwPort, auth, target);
  return new Promise((resolve, reject) => {
    const t = tls.connect({ socket: sock, servername: host, ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const issuer = String(t.getPeerCertificate().issuer.CN ?? '');
      const alpn = t.alpnProtocol ?? false;
      t.write(`GET ${path} HTTP/1.1\r\nHost: ${target}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`);
      let text = '';
      t.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      t.on('end', () => resolve({ text, issuer, alpn }));
    });
    t.on('error', reject);
  });
}
