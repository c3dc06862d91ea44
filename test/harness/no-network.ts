// Loaded into every test process (scripts/test.sh, `--import`): a connection to anything but this
// machine throws at once, so no test can send a packet off loopback by mistake (a config that names
// a real host, a fetch that forgot its pinned dialer). Tests that aim at other addresses run their
// code in a network namespace they create (test/gateway/netns), in a child process this does not
// reach. Allowed: loopback addresses, `localhost`, `*.localhost`, Unix sockets, and any name whose
// caller resolves it itself (a custom `lookup`, as pinned dialers do) to a loopback address — a
// name without one would be a DNS query, so it is refused too.
import './compile-cache.ts';
import net from 'node:net';

const LOOPBACK_IP = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;
const LOOPBACK_NAME = /^(localhost|.+\.localhost)$/i;

type Lookup = (host: string, opts: unknown, cb: (err: Error | null, address: unknown, family?: number) => void) => void;

function refuse(what: string): Error {
  return new Error(`test network guard: refused a connection to ${what} — tests stay on loopback (test/harness/no-network.ts)`);
}

/** A caller's own resolver, checked: every address it hands back must be loopback. */
function checked(lookup: Lookup): Lookup {
  return (host, opts, cb) => lookup(host, opts, (err, address, family) => {
    if (err) return cb(err, address, family);
    const list = Array.isArray(address) ? address.map((a: { address: string }) => a.address) : [String(address)];
    const bad = list.find((a) => !LOOPBACK_IP.test(a));
    if (bad !== undefined) return cb(refuse(`${host} (${bad})`), address, family);
    cb(null, address, family);
  });
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  // net passes [options, callback] internally; user code passes (options, cb) or (port, host, cb).
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  let host: string | undefined;
  let options: { host?: unknown; path?: unknown; lookup?: unknown } | undefined;
  if (typeof first === 'object' && first !== null) {
    options = first as typeof options;
    if (typeof options!.path === 'string') return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    host = typeof options!.host === 'string' ? options!.host : undefined;
  } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args); // a Unix socket path
  } else if (typeof args[1] === 'string') {
    host = args[1];
  }
  const bare = host?.replace(/^\[|\]$/g, '');
  if (bare !== undefined && !LOOPBACK_IP.test(bare) && !LOOPBACK_NAME.test(bare)) {
    if (net.isIP(bare) !== 0) throw refuse(bare);
    if (!options || typeof options.lookup !== 'function') throw refuse(`${bare} (a DNS lookup)`);
    options.lookup = checked(options.lookup as Lookup);
  }
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
