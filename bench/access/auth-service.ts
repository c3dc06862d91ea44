// The reference forward-auth service for nginx `auth_request` (the oauth2-proxy / Authelia shape):
// verifies the `session` cookie, an ES256 JWT, with jose on every request and answers 200 with
// x-auth-user or 401. Runs as its own process, `WORKERS` node:cluster workers (the 2-core baseline).
// Benchmark support only: must not be imported by Moatless.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { importJWK, jwtVerify, type JWK } from 'jose';

const port = Number(process.env.AUTH_PORT);
const workers = Number(process.env.WORKERS ?? '1');
const jwk = JSON.parse(process.env.AUTH_JWK ?? '{}') as JWK;

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const key = await importJWK(jwk, 'ES256');
  const empty = { 'content-length': '0' };
  createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const m = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '');
    if (!m) {
      res.writeHead(401, empty).end();
      return;
    }
    jwtVerify(m[1]!, key, { issuer: 'gw', audience: 'gw', algorithms: ['ES256'] }).then(
      ({ payload }) => res.writeHead(200, { ...empty, 'x-auth-user': String(payload.email ?? payload.sub) }).end(),
      () => res.writeHead(401, empty).end(),
    );
  }).listen(port, '127.0.0.1');
}
