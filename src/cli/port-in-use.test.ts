import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigObject } from '../config/load.ts';
import { listenFailure } from './port-in-use.ts';

const r = loadConfigObject({
  server: { authUrl: 'http://auth.localhost:8080', listeners: [{ address: '127.0.0.1:8080' }, { address: '[::1]:8443' }] },
  dev: { entra: { fixture: 'f.yaml', port: 8090 }, sampleApps: [{ name: 'a', port: 9001 }, { name: 'b', port: 9002 }] },
}, { env: {}, sourcePath: '/etc/moatless/moatless.yaml' });
assert.ok(r.ok);
const cfg = r.config;
const inUse = (port: number, address = '127.0.0.1') => Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port, address });

test('a listener port in use names the port and the key that moves it', () => {
  assert.equal(listenFailure(cfg, inUse(8080)),
    'moatless: port 8080 is already in use (127.0.0.1:8080): stop what listens there or change server.listeners[0].address in /etc/moatless/moatless.yaml');
  assert.match(listenFailure(cfg, inUse(8443, '::1')) ?? '', /server\.listeners\[1\]\.address/);
});

test('the demo helpers\' ports name their dev keys', () => {
  assert.match(listenFailure(cfg, inUse(8090)) ?? '', /change dev\.entra\.port in/);
  assert.match(listenFailure(cfg, inUse(9002)) ?? '', /change dev\.sampleApps\[1\]\.port in/);
});

test('other errors are not explained away', () => {
  assert.equal(listenFailure(cfg, new Error('boom')), null);
  assert.equal(listenFailure(cfg, Object.assign(new Error('x'), { code: 'ENOENT' })), null);
});
