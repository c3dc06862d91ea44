import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAbsoluteTarget, parseAuthority, parseTunnelTarget, tunnelOrigin } from './target.ts';

test('CONNECT authority: host:port only; malformed targets are refused with a reason', () => {
  assert.deepEqual(parseAuthority('Example.COM:443'), { ok: true, host: 'example.com', port: 443 });
  assert.deepEqual(parseAuthority('[2001:db8::1]:8443'), { ok: true, host: '[2001:db8::1]', port: 8443 });
  for (const bad of [undefined, '', 'example.com', 'example.com:0', 'example.com:70000', 'http://example.com:443', 'user@example.com:443', 'example.com:443/x', 'a b:443', 'exa%6dple.com:443']) {
    assert.equal(parseAuthority(bad).ok, false, String(bad));
  }
});

test('absolute-form: http or https, no user info, Host must agree with the URL', () => {
  const ok = parseAbsoluteTarget('http://App.example.com:8080/a?b=1', 'app.example.com:8080');
  assert.ok(ok.ok && ok.host === 'app.example.com' && ok.port === 8080 && ok.url?.pathname === '/a');
  assert.equal(parseAbsoluteTarget('/relative', 'x').ok, false);
  const tls = parseAbsoluteTarget('https://a.example/x', 'a.example');
  assert.ok(tls.ok && tls.port === 443 && tls.url?.protocol === 'https:');
  assert.equal(parseAbsoluteTarget('ftp://a.example/', 'a.example').ok, false);
  assert.equal(parseAbsoluteTarget('http://u:p@a.example/', 'a.example').ok, false);
  const mismatch = parseAbsoluteTarget('http://a.example/', 'b.example');
  assert.ok(!mismatch.ok && /Host header does not match/.test(mismatch.message));
  assert.equal(parseAbsoluteTarget('http://a.example/', 'a.example:80').ok, true);
});

test('tunnel target: origin-form on the tunnel\'s host; a path never names another authority', () => {
  const o = tunnelOrigin('app.example.com', 443);
  const ok = parseTunnelTarget(o, '/a?b=1', 'App.example.com:443');
  assert.ok(ok.ok && ok.url.href === 'https://app.example.com/a?b=1');
  for (const path of ['//evil.example/x', '/\\evil.example/x']) {
    const r = parseTunnelTarget(o, path, 'app.example.com');
    assert.ok(r.ok && r.url.host === 'app.example.com' && r.url.pathname === '//evil.example/x', path);
  }
  assert.equal(parseTunnelTarget(o, '/', 'evil.example').ok, false);
  assert.equal(parseTunnelTarget(o, 'https://evil.example/', undefined).ok, false);
  assert.equal(parseTunnelTarget(o, undefined, undefined).url.href, 'https://app.example.com/');
  const alt = tunnelOrigin('[2001:db8::1]', 8443);
  assert.ok(parseTunnelTarget(alt, '/x', '[2001:db8::1]:8443').ok);
  assert.equal(parseTunnelTarget(alt, '/x', '[2001:db8::1]').ok, false);
});
