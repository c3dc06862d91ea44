import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileIngress, ingressFlag, matchIngress } from './ingress.ts';

test('first match wins, wildcards cover subdomains only, the catch-all takes the rest', () => {
  const r = compileIngress({ ingress: [
    { hostname: 'wiki.example.com', path: '^/api', service: 'http://127.0.0.1:1' },
    { hostname: '*.example.com', service: 'http://127.0.0.1:2/base/' },
    { service: 'http_status:404' },
  ] });
  assert.ok(r.ok);
  const svc = (host: string, path: string) => matchIngress(r.rules, host, path).service;
  assert.deepEqual(svc('wiki.example.com:443', '/api/x'), { kind: 'http', origin: 'http://127.0.0.1:1', basePath: '' });
  assert.deepEqual(svc('wiki.example.com', '/'), { kind: 'http', origin: 'http://127.0.0.1:2', basePath: '/base' });
  assert.deepEqual(svc('example.com', '/'), { kind: 'status', status: 404 });
});

test('a missing catch-all, a bad service or regex is reported with its path', () => {
  const r = compileIngress({ ingress: [{ hostname: 'a.example.com', path: '(', service: 'ftp://x' }] });
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.issues.map((i) => i.split(':')[0]), ['ingress.0.path', 'ingress.0.service']);
  const noCatchAll = compileIngress({ ingress: [{ hostname: 'a.example.com', service: 'http://127.0.0.1:1' }] });
  assert.deepEqual(!noCatchAll.ok && noCatchAll.issues, ['ingress.0: the last rule must be a catch-all (no hostname, no path)']);
});

test('--ingress flags read HOST[/PATH]=SERVICE', () => {
  assert.deepEqual(ingressFlag('wiki.example.com/api=http://127.0.0.1:8080'), { hostname: 'wiki.example.com', path: '^/api', service: 'http://127.0.0.1:8080' });
  assert.deepEqual(ingressFlag('*=http_status:404'), { service: 'http_status:404' });
});
