// The dashboard's HTTP surface on the auth host, without a browser: who gets the page, under which
// CSP and cache headers; the sign-in redirect for visitors; the refusal for non-admins.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { DASHBOARD_DIST } from '../../src/admin/dashboard/assets.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { browserAs, globalSessionFor } from './helpers.ts';

describe('dashboard at /admin/', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ extra: { admin: { adminGroups: ['Finance'], auditorGroups: ['Auditors'] } } });
  });
  after(async () => {
    await s.close();
  });

  test('no session: a sign-in that comes back to the same dashboard address', async () => {
    const r = await s.browser().get(`${s.authUrl}/admin/logs?log=audit`);
    assert.equal(r.status, 302);
    const start = new URL(String(r.headers.location), s.authUrl);
    assert.equal(start.pathname, '/oauth2/start');
    assert.equal(start.searchParams.get('rd'), `${s.authUrl}/admin/logs?log=audit`);
    const idp = await s.browser().get(start.href);
    assert.equal(idp.status, 302, 'the auth host accepts its own /admin/ as a return address');
    assert.equal(new URL(String(idp.headers.location)).origin, s.emulator.url);
  });

  test('admins and auditors get the app under a strict CSP; the HTML is never cached', async () => {
    for (const groups of [['Finance'], ['Auditors']]) {
      const r = await browserAs(s, await globalSessionFor(s, 'alice@contoso.com', groups)).get(
        `${s.authUrl}/admin/users`,
      );
      assert.equal(r.status, 200, groups.join());
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.doesNotMatch(r.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
      assert.match(r.body, /<script type="module" crossorigin src="\/admin\/assets\/index-[\w-]+\.js">/);
    }
  });

  test('hashed assets are cached for a year; unknown ones are 404; other methods 405', async () => {
    const b = browserAs(s, await globalSessionFor(s, 'alice@contoso.com', ['Finance']));
    const html = (await b.get(`${s.authUrl}/admin/`)).body;
    const js = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const r = await s.browser().get(`${s.authUrl}${js}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(r.headers['content-type']), /^text\/javascript/);
    assert.equal((await s.browser().get(`${s.authUrl}/admin/assets/nope.js`)).status, 404);
    assert.equal((await s.browser().get(`${s.authUrl}/admin/assets/../../package.json`)).status, 404);
    assert.equal((await b.get(`${s.authUrl}/admin/`, { method: 'POST', body: '' })).status, 405);
    const bare = await b.get(`${s.authUrl}/admin`);
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.location, '/admin/');
  });

  test('scripts and styles go out precompressed (brotli, else gzip) with Vary, and unpack to the built file', async () => {
    const html = (await browserAs(s, await globalSessionFor(s, 'alice@contoso.com', ['Finance'])).get(`${s.authUrl}/admin/`)).body;
    const paths = [/src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)![1]!, /href="(\/admin\/assets\/[^"]+\.css)"/.exec(html)![1]!];
    const raw = (path: string, acceptEncoding?: string) => new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const u = new URL(s.authUrl);
      const req = request({ host: '127.0.0.1', port: Number(u.port), path, headers: { host: u.host, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    for (const path of paths) {
      const file = readFileSync(join(DASHBOARD_DIST, path.slice('/admin/'.length)));
      const plain = await raw(path);
      assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: the plain file');
      assert.ok(plain.body.equals(file));
      assert.equal(plain.headers.vary, 'accept-encoding');
      const br = await raw(path, 'gzip, deflate, br, zstd');
      assert.equal(br.headers['content-encoding'], 'br');
      assert.equal(br.headers.vary, 'accept-encoding');
      assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(Number(br.headers['content-length']), br.body.length);
      assert.ok(br.body.length < file.length / 2, `${path}: ${br.body.length} of ${file.length} bytes`);
      assert.ok(brotliDecompressSync(br.body).equals(file));
      const gz = await raw(path, 'gzip');
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.ok(gunzipSync(gz.body).equals(file));
      assert.equal((await raw(path, 'br;q=0, gzip;q=0.5')).headers['content-encoding'], 'gzip', 'br refused with q=0');
      assert.equal((await raw(path, '*;q=0, identity')).headers['content-encoding'], undefined);
      assert.equal((await raw(`${path}.br`)).status, 404, 'the compressed twins are not files of their own');
    }
  });

  test('a signed-in non-admin gets a 403 page that links to the app launcher', async () => {
    const r = await browserAs(s, await globalSessionFor(s, 'bob@contoso.com', ['Staff'])).get(`${s.authUrl}/admin/`);
    assert.equal(r.status, 403);
    assert.match(r.body, /bob@contoso\.com/);
    assert.match(r.body, /<a class="btn" href="\/">Open your apps<\/a>/);
    assert.doesNotMatch(r.body, /Finance/, 'the admin groups are not revealed');
    assert.doesNotMatch(String(r.headers['content-security-policy']), /script-src/);
  });
});
