// Secrets of identity providers created through the admin API. They are never sent to or stored by
// the API: a body names an environment variable (`{"env": "MOATLESS_IDP_…"}`) that every replica
// has, and each replica resolves it when it builds the config, exactly as for moatless.yaml.
// Owns: which references the API accepts. Must not: resolve them (secrets.ts does).
//
// Why only `MOATLESS_IDP_*` variables, and no files or inline values: whoever holds a write token
// could otherwise point `clientSecret` at any variable or file Moatless can read (the database URL,
// the gateway CA key) and name an issuer they control, which then receives it as client_secret.
// Inline values would put the secret in the store, its backups and the audit log's before/after.

export const API_SECRET_ENV = /^MOATLESS_IDP_[A-Z0-9_]{1,64}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const MESSAGE = 'name an environment variable set on every replica: {"env": "MOATLESS_IDP_…"} '
  + '(the API takes no inline secrets or files, so a secret is never stored or sent here)';

function check(ref: unknown, path: string, out: { path: string; message: string }[]): void {
  if (ref === undefined) return;
  if (isRecord(ref) && Object.keys(ref).length === 1 && typeof ref['env'] === 'string' && API_SECRET_ENV.test(ref['env'])) return;
  out.push({ path, message: MESSAGE });
}

/** Problems with the secret references of an API identity-provider body (`body.…` paths). */
export function apiSecretRefProblems(body: unknown): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (!isRecord(body)) return out;
  check(body['clientSecret'], 'body.clientSecret', out);
  const cert = body['clientCertificate'];
  if (cert !== undefined) {
    if (!isRecord(cert)) out.push({ path: 'body.clientCertificate', message: 'expected {certificate, privateKey}' });
    else {
      check(cert['certificate'], 'body.clientCertificate.certificate', out);
      check(cert['privateKey'], 'body.clientCertificate.privateKey', out);
    }
  }
  return out;
}
