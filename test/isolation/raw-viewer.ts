// A viewer without a browser: a raw WebSocket client speaking the viewer protocol, for bad-input
// tests (malformed, oversized and flooding messages) where a real viewer page would never misbehave.
import { WebSocket } from 'ws';
import type { Stack } from '../harness/stack.ts';

export interface RawViewer {
  ws: WebSocket;
  events: Array<Record<string, unknown>>;
  frames: number;
  closed: Promise<{ code: number; reason: string }>;
  send(m: unknown): void;
  click(x: number, y: number): void;
  key(key: string, code: string, kc: number, mods?: number): void;
}

export function connectRaw(stack: Stack, secret: string | null, url: string, opts: { origin?: string } = {}): Promise<RawViewer> {
  const ws = new WebSocket(`ws://127.0.0.1:${stack.port}/isolation/ws?url=${encodeURIComponent(url)}`, {
    headers: { host: new URL(stack.authUrl).host, origin: opts.origin ?? stack.authUrl, ...(secret ? { cookie: `moatless_auth=${secret}` } : {}) },
  });
  const v: RawViewer = {
    ws, events: [], frames: 0,
    closed: new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() }))),
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    click(x, y) {
      for (const a of ['move', 'down', 'up']) v.send({ t: 'mouse', a, x, y, b: a === 'move' ? 'none' : 'left', n: 1 });
    },
    key(key, code, kc, mods = 0) {
      v.send({ t: 'key', a: 'down', key, code, kc, mods });
      v.send({ t: 'key', a: 'up', key, code, kc, mods });
    },
  };
  ws.on('message', (data, binary) => {
    const buf = data as Buffer;
    if (!binary) return void v.events.push(JSON.parse(buf.toString()) as Record<string, unknown>);
    v.frames++;
    v.send({ t: 'ack', f: buf.readUInt32BE(1) });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => { v.send({ t: 'resize', w: 800, h: 600, dpr: 1 }); resolve(v); });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}
