// What Access reads of a request and does with a response, whichever server carried it: node:http's
// IncomingMessage/ServerResponse (the auth host, forward-auth, connections handed to node:http) and
// src/http1's ServerRequest/ServerReply (protected apps on the lean front, listener.ts) both fit.
import { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { Reply } from '../gateway/responses.ts';

/** The client connection: a net or TLS socket, read for its peer address and whether it is TLS. */
export interface ClientSocket extends Duplex {
  readonly remoteAddress?: string | undefined;
  readonly encrypted?: boolean;
}

export type AccessRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'rawHeaders'> & {
  readonly socket: ClientSocket;
  /** src/http1's request carries its body here; an IncomingMessage is its own body. */
  readonly body?: Readable | null;
};

export type AccessReply = Reply;

/** The request's body stream, or null when it has none (the lean request says so; node:http's is read empty). */
export function bodyOf(req: AccessRequest): Readable | null {
  return req instanceof IncomingMessage ? req : (req.body ?? null);
}
