// A raw TCP origin for attack tests: records every request line and header exactly as it arrived
// (names unnormalised, in order) and answers by the path's first segment, so one origin plays
// every role. A real HTTP server would tidy up what the attacker sent; this one shows it all.
//   /426…        426 Upgrade Required, content-length body, connection kept alive
//   /200…        200 with a content-length body, kept alive
//   /403…        403 with a chunked body, kept alive
//   /101-close…  101 Switching Protocols, then the origin closes
//   /101-extra…  101 plus bytes right behind the headers in the same write, then echoes
//   anything else: 200 "ok", kept alive
import { createServer, type Server, type Socket } from 'node:net';

export interface RawSeen {
  line: string;
  /** [name, value] as sent, name case and spelling untouched. */
  headers: [string, string][];
}

export interface RawOrigin {
  url: string;
  seen: RawSeen[];
  /** Bytes received after a 101, per connection, in order. */
  upgraded: Buffer[];
  close(): Promise<void>;
}

const body = (status: string, text: string) =>
  `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${text.length}\r\nconnection: keep-alive\r\n\r\n${text}`;

function answer(path: string, sock: Socket, origin: RawOrigin): 'http' | 'upgraded' {
  if (path.startsWith('/426')) sock.write(body('426 Upgrade Required', 'this origin does not speak WebSocket'));
  else if (path.startsWith('/200')) sock.write(body('200 OK', 'not a websocket'));
  else if (path.startsWith('/403')) {
    sock.write('HTTP/1.1 403 Forbidden\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n');
    sock.write('5\r\nno ws\r\n6\r\n here.\r\n0\r\n\r\n');
  } else if (path.startsWith('/101-close')) {
    sock.end('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    return 'upgraded';
  } else if (path.startsWith('/101-extra')) {
    sock.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\nEXTRA-AFTER-HEADERS');
    sock.on('data', (d: Buffer) => {
      origin.upgraded.push(d);
      sock.write(d);
    });
    return 'upgraded';
  } else sock.write(body('200 OK', 'ok'));
  return 'http';
}

export async function startRawOrigin(): Promise<RawOrigin> {
  const sockets = new Set<Socket>();
  const origin: RawOrigin = { url: '', seen: [], upgraded: [], close: async () => {} };
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      // Bodies are not expected (the tests send none): every header block is one request.
      for (let end = buf.indexOf('\r\n\r\n'); end !== -1; end = buf.indexOf('\r\n\r\n')) {
        const [line = '', ...rest] = buf.slice(0, end).split('\r\n');
        buf = buf.slice(end + 4);
        const headers = rest.map((h): [string, string] => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()]);
        origin.seen.push({ line, headers });
        if (answer(line.split(' ')[1] ?? '/', sock, origin) === 'upgraded') {
          sock.off('data', onData);
          return;
        }
      }
    };
    sock.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  origin.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  origin.close = () => new Promise((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  });
  return origin;
}

/** Normalised as CGI/WSGI servers read names: case-insensitive, `_` and `-` the same. */
export function normalisedName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

/** A policy list admitting the harness's default users (group Staff). */
export const STAFF_ONLY = [{ name: 'staff', action: 'allow', include: [{ group: ['Staff'] }] }];

/** The header block of a WebSocket handshake, without the blank line that ends it. */
export function upgradeHead(path: string, host: string, cookie: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
}
