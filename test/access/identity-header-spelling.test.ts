// Hardening issue, item 2: identity headers forged by spelling. CGI/WSGI-style origins read `_` and
// `-` as the same character and ignore case, so a client's `Remote_User` is as good as Moatless's
// `remote-user` to them. Sent over raw sockets (a client library would tidy the names) and judged by
// what a raw origin received, names untouched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionFor, type Stack } from '../harness/stack.ts';
import { RawClient } from '../harness/raw-client.ts';
import { startRawStack, type RawStack } from '../harness/raw-stack.ts';
import { normalisedName, STAFF_ONLY, upgradeHead, type RawOrigin, type RawSeen } from '../fakes/raw-origin.ts';

const FORGED = 'ceo@contoso.com';

/** Every spelling a CGI-style origin would read as one of the configured names or a known family. */
const FORGERIES = [
  'Remote_User', 'REMOTE-USER', 'remote_user', 'X_Remote_User', 'x-remote_user', 'X-Remote-User',
  'X_Email', 'x-email', 'X-EMAIL', 'Display_Name', 'display-name', 'X_Groups', 'x-groups',
  'Moatless_Jwt_Assertion', 'MOATLESS-JWT-ASSERTION', 'moatless_request_id',
  'X-Forwarded-User', 'X_Forwarded_User', 'x-forwarded-email', 'X-Forwarded-Groups',
  'X-Forwarded-Preferred-Username', 'X_Forwarded_Access_Token',
  'X-Auth-Request-User', 'x_auth_request_email', 'X-Auth-Request-Groups', 'X-Auth-Request-Access-Token',
  'Remote-Groups', 'Remote_Email', 'X-Remote-Groups',
  'X-Moatless-User', 'x_moatless_email',
  'X-MS-CLIENT-PRINCIPAL', 'X-MS-CLIENT-PRINCIPAL-NAME', 'x_ms_client_principal_id', 'X-MS-CLIENT-PRINCIPAL-IDP',
  'Cf-Access-Authenticated-User-Email', 'cf_access_jwt_assertion',
  'X_Forwarded_For', 'x-real_ip',
];

/** Families that must never reach an origin from the client (compared normalised). */
function isIdentityFamily(n: string): boolean {
  return /^x-forwarded-(user|email|groups|preferred-username|access-token)$/.test(n)
    || /^(x-auth-request-|remote-|x-remote-|x-moatless-|x-ms-client-principal|cf-access-|moatless-)/.test(n);
}

describe('identity headers forged by spelling', () => {
  let rs: RawStack;
  let s: Stack;
  let origin: RawOrigin;
  let host: string;
  let cookie: string;
  before(async () => {
    rs = await startRawStack((url) => [{
      id: 'legacy', hosts: ['legacy.localtest.me'], upstream: url, policies: STAFF_ONLY,
      identityHeaders: { user: 'remote-user', email: 'x-email', name: 'display_name', groups: 'x-groups' },
    }, {
      id: 'migrating', hosts: ['migrating.localtest.me'], upstream: url, policies: STAFF_ONLY,
      identityHeaders: { email: 'x-remote-user' }, passClientHeaders: ['x-forwarded-user', 'X_Auth_Request_Email'],
    }]);
    ({ s, origin } = rs);
    host = `legacy.localtest.me:${s.port}`;
    cookie = `moatless_session=${await sessionFor(s, 'alice@contoso.com', 'legacy')}`;
  });
  after(() => rs.close());

  async function send(head: string, tag: string, extra: readonly string[]): Promise<RawSeen> {
    const c = await RawClient.open(s.port);
    c.write(`${head.replace('TAG', tag)}${extra.map((h) => `${h}\r\n`).join('')}\r\n`);
    const done = await c.until(() => origin.seen.some((r) => r.line.includes(tag)) && c.text.includes('\r\n\r\n'));
    c.destroy();
    assert.ok(done, `the request reached the origin; the proxy said ${JSON.stringify(c.text.slice(0, 200))}`);
    return origin.seen.find((r) => r.line.includes(tag))!;
  }
  const values = (seen: RawSeen, name: string) => seen.headers.filter(([n]) => normalisedName(n) === name).map(([, v]) => v);

  function assertOnlyVerified(seen: RawSeen): void {
    assert.deepEqual(values(seen, 'remote-user'), ['alice@contoso.com']);
    assert.deepEqual(values(seen, 'x-email'), ['alice@contoso.com']);
    assert.deepEqual(values(seen, 'x-groups'), ['Staff']);
    // No display name in the session: Moatless adds none, and the client's must not stand in.
    assert.deepEqual(values(seen, 'display-name'), []);
    const assertion = values(seen, 'moatless-jwt-assertion');
    assert.equal(assertion.length, 1);
    assert.notEqual(assertion[0], FORGED);
    assert.deepEqual(values(seen, 'x-forwarded-for'), ['127.0.0.1']);
    assert.deepEqual(values(seen, 'x-real-ip'), []);
    const ours = ['remote-user', 'moatless-jwt-assertion', 'moatless-request-id'];
    const leaked = seen.headers.filter(([n, v]) => v === FORGED || (isIdentityFamily(normalisedName(n)) && !ours.includes(normalisedName(n))));
    assert.deepEqual(leaked, [], 'client-sent identity headers reached the origin');
  }

  test('every spelling of a configured identity header or a known family is stripped (HTTP)', async () => {
    const forged = FORGERIES.map((h) => `${h}: ${FORGED}`);
    const seen = await send(`GET /TAG HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\n`, 'http-spellings', forged);
    assertOnlyVerified(seen);
  });

  test('the same holds for a WebSocket upgrade', async () => {
    const seen = await send(upgradeHead('/101-closeTAG', host, cookie), '-ws-spellings', FORGERIES.map((h) => `${h}: ${FORGED}`));
    assertOnlyVerified(seen);
  });

  test('every spelling of a Moatless cookie is stripped; the app\'s own cookies pass', async () => {
    const ours = [
      'moatless_session_other=x1', 'MOATLESS_SESSION=x2', '__Secure-moatless_session=x3', '__host-Moatless_Session_legacy=x4',
      'moatless_auth=x5', '__Host-moatless_signin=x6', 'Moatless_sessionX=x7',
    ];
    const jar = `Cookie: ${cookie}; theirs=1; ${ours.join('; ')}; __Host-theirs=2`;
    const seen = await send(`GET /TAG HTTP/1.1\r\nHost: ${host}\r\n`, 'cookie-spellings', [jar]);
    assert.deepEqual(values(seen, 'cookie'), ['theirs=1; __Host-theirs=2']);
  });

  test('an app\'s passClientHeaders lets the listed families through, but never its own identity headers', async () => {
    const mig = `moatless_session=${await sessionFor(s, 'alice@contoso.com', 'migrating')}`;
    const seen = await send(`GET /TAG HTTP/1.1\r\nHost: migrating.localtest.me:${s.port}\r\nCookie: ${mig}\r\n`, 'pass-list', [
      'X-Forwarded-User: from-the-client', 'x-auth-request-email: client@example.com', 'X-Auth-Request-User: nope',
      'X_Remote_User: ceo@contoso.com', 'X-Forwarded-Email: nope',
    ]);
    assert.deepEqual(values(seen, 'x-forwarded-user'), ['from-the-client']);
    assert.deepEqual(values(seen, 'x-auth-request-email'), ['client@example.com']);
    assert.deepEqual(values(seen, 'x-auth-request-user'), []);
    assert.deepEqual(values(seen, 'x-forwarded-email'), []);
    assert.deepEqual(values(seen, 'x-remote-user'), ['alice@contoso.com']);
  });
});
