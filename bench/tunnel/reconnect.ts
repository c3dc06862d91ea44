// Starting and restarting the edge process, and the reconnect figure: SIGTERM the edge, start it
// again on the same port and folder, then time from the new process's "listening" to the first
// request answered 200 through the tunnel (the connector's backoff and re-dial included).
// Benchmark support only.
import { request } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { nextMessage, startNode } from '../lib/procs.ts';
import type { EdgeReply } from './edge.ts';
import type { Target } from './bulk.ts';

export interface EdgeOptions { port: number; backend: number; dir: string }
export interface Edge { child: ChildProcess; ready: EdgeReply }

export async function startEdge(o: EdgeOptions, init: boolean): Promise<Edge> {
  const child = startNode(new URL('./edge.ts', import.meta.url).pathname, [JSON.stringify({ ...o, init })]);
  const ready = await nextMessage<EdgeReply>(child, 60_000, 'Moatless edge');
  return { child, ready };
}

export async function stopEdge(e: Edge): Promise<void> {
  if (e.child.exitCode !== null || e.child.signalCode !== null) return;
  const gone = new Promise<void>((r) => e.child.once('exit', () => r()));
  e.child.kill('SIGTERM');
  await gone;
}

/** One GET through the tunnel: its status, or 0 when the edge did not answer within a second. */
export function probe(t: Target): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: t.port, path: '/', agent: false, timeout: 1000,
      headers: { host: `${t.host}:${t.port}`, cookie: t.cookie } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Polls every 10 ms until a request through the tunnel answers 200; the time it took from `from`. */
export async function firstSuccess(t: Target, from: number, limitMs: number): Promise<number> {
  while (Date.now() - from < limitMs) {
    if ((await probe(t)) === 200) return Date.now() - from;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no request went through the tunnel within ${limitMs} ms of the edge listening`);
}

/** Restarts the edge; returns the new edge, how long it was down and the reconnect time. */
export async function restartAndMeasure(old: Edge, o: EdgeOptions, t: Target):
  Promise<{ edge: Edge; downMs: number; reconnectMs: number }> {
  const stopped = Date.now();
  await stopEdge(old);
  const edge = await startEdge(o, false);
  const reconnectMs = await firstSuccess(t, edge.ready.at, 60_000);
  return { edge, downMs: edge.ready.at - stopped, reconnectMs };
}
