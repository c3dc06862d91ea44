// Reads a request body into memory with a hard size cap, so a client cannot make the SCIM endpoint
// buffer without bound. Owns: the limit, the drain of oversized bodies and the media-type check.
// Must not: parse SCIM.
//
// Why drain: a client that writes its whole body before reading the answer (fetch, most HTTP
// libraries) gets EPIPE instead of the 413 when the server closes mid-upload. So an oversized body
// is read and thrown away — never buffered — up to DRAIN_FACTOR × the limit, and only then answered;
// a body larger still is cut off (the response says `connection: close` either way). Clients that
// send `Expect: 100-continue` (curl) are refused before they send anything: see `declaresTooLarge`.
import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;
export const DRAIN_FACTOR = 16;

export class BodyTooLarge extends Error {
  constructor() {
    super('request body too large');
    this.name = 'BodyTooLarge';
  }
}

/** RFC 7644 §8.1 registers application/scim+json; Okta and Microsoft's tests send application/json. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/scim+json' || type === 'application/json';
}

function declaredLength(req: IncomingMessage): number {
  const n = Number(req.headers['content-length'] ?? '0');
  return Number.isFinite(n) ? n : 0;
}

/** True when the headers alone show the body is over the limit (no need to see a byte of it). */
export function declaresTooLarge(req: IncomingMessage, limit = MAX_BODY_BYTES): boolean {
  return declaredLength(req) > limit;
}

/** The body, or BodyTooLarge once an oversized one has been drained (or is too big to drain). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const drainLimit = limit * DRAIN_FACTOR;
  if (declaredLength(req) > drainLimit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const finish = (err?: Error): void => {
      req.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (err === undefined) resolve(Buffer.concat(chunks));
      else {
        req.pause(); // stop reading; the 413 closes the connection
        reject(err);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > drainLimit) return finish(new BodyTooLarge());
      if (size > limit) chunks = []; // draining: count, never keep
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(size > limit ? new BodyTooLarge() : undefined);
    const onClose = (): void => finish(new Error('request aborted before its body ended'));
    req.on('data', onData).once('end', onEnd).once('error', finish).once('close', onClose);
  });
}
