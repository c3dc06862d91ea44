// The tunnel's wire format: one binary WebSocket message per frame, `[type u8][stream u32 BE][payload]`.
// Owns: encoding, decoding and the limits both sides enforce. Must not: keep stream state.

export const FRAME = { open: 1, openOk: 2, data: 3, window: 4, end: 5, reset: 6 } as const;
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

/** Largest DATA payload a sender cuts; a bigger message closes the connection (ws maxPayload). */
export const MAX_DATA = 64 * 1024;
export const HEADER_BYTES = 5;
/** The WebSocket message limit: a DATA frame plus its header, nothing larger is ever valid. */
export const MAX_MESSAGE = MAX_DATA + HEADER_BYTES;
/** Bytes a sender may have in flight per stream before the reader grants more (WINDOW frames). */
export const INITIAL_WINDOW = 256 * 1024;
/** Streams one connection carries at once; OPENs past it are refused, so a flood stays bounded. */
export const MAX_STREAMS = 512;

export interface Frame {
  type: FrameType;
  stream: number;
  payload: Buffer;
}

export function encode(type: FrameType, stream: number, payload?: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(HEADER_BYTES + (body?.length ?? 0));
  out[0] = type;
  out.writeUInt32BE(stream, 1);
  body?.copy(out, HEADER_BYTES);
  return out;
}

export function windowFrame(stream: number, bytes: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(bytes, 0);
  return encode(FRAME.window, stream, b);
}

/** A frame, or a reason it is malformed (the connection is then closed: the peer is broken). */
export function decode(msg: Buffer): Frame | string {
  if (msg.length < HEADER_BYTES) return 'frame shorter than its header';
  const type = msg[0]!;
  if (type < FRAME.open || type > FRAME.reset) return `unknown frame type ${type}`;
  const stream = msg.readUInt32BE(1);
  if (stream === 0) return 'stream 0 is reserved';
  const payload = msg.subarray(HEADER_BYTES);
  if (type === FRAME.data && payload.length > MAX_DATA) return 'DATA frame larger than the limit';
  if (type === FRAME.window && payload.length !== 4) return 'WINDOW frame must carry 4 bytes';
  return { type: type as FrameType, stream, payload };
}
