// SigningKeyStore over shared SQL. Owns: key rows. Must not: parse, use or log the private JWK —
// it is stored and returned as opaque text for the identity capability.
import type { SigningKeyRecord, SigningKeyStore } from '../ports.ts';
import { num, str, type Row, type SqlExecutor } from './executor.ts';

function toRecord(r: Row): SigningKeyRecord {
  if (str(r, 'alg') !== 'ES256') throw new TypeError('column alg: unexpected value');
  return {
    kid: str(r, 'kid'), alg: 'ES256', privateJwk: str(r, 'private_jwk'), publicJwk: str(r, 'public_jwk'),
    createdAt: num(r, 'created_at'), activatesAt: num(r, 'activates_at'), retiresAt: num(r, 'retires_at'), expiresAt: num(r, 'expires_at'),
  };
}

export function signingKeyRepo(ex: SqlExecutor): SigningKeyStore {
  return {
    async list() {
      const rows = await ex.all('SELECT * FROM signing_keys ORDER BY activates_at ASC, kid ASC');
      return rows.map(toRecord);
    },
    async insert(k) {
      if (k.alg !== 'ES256') throw new TypeError('only ES256 signing keys are supported');
      await ex.run(
        'INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, activates_at, retires_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [k.kid, k.alg, k.privateJwk, k.publicJwk, k.createdAt, k.activatesAt, k.retiresAt, k.expiresAt],
      );
    },
    async deleteExpired(now) {
      return (await ex.run('DELETE FROM signing_keys WHERE expires_at <= ?', [now])).changes;
    },
  };
}
