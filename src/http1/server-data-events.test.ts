// The server side's tests again, with sockets read from 'data' events instead of natively: the path a
// tunnel's stream (a JS Duplex, no native handle) takes, and any socket Node will not let be consumed.
import { readSocketsWith } from './server-test-kit.ts';

readSocketsWith('data-events');
await import('./server-connection.test.ts');
await import('./server-handoff.test.ts');
