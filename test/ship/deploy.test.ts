// Ship issue: the files in deploy/ are checked with the tools this machine has (no container
// runtime runs here): systemd's own unit verifier, `nginx -t`, and `moatless config check`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runMoatless } from '../harness/processes.ts';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');
const read = (p: string) => readFileSync(join(DEPLOY, p), 'utf8');

test('the systemd unit has no unknown keys and is hardened', () => {
  const unit = read('systemd/moatless.service');
  for (const line of ['User=moatless', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'StateDirectory=moatless', 'PrivateTmp=yes']) {
    assert.ok(unit.includes(`\n${line}\n`), line);
  }
  // scripts/ensure-services.sh installs it (Debian package systemd); without it this check is not made.
  assert.ok(existsSync('/usr/bin/systemd-analyze'), 'systemd-analyze is missing: run scripts/ensure-services.sh');
  const r = spawnSync('systemd-analyze', ['verify', join(DEPLOY, 'systemd/moatless.service')], { encoding: 'utf8' });
  assert.equal(r.stderr.split('\n').filter((l) => /Unknown|Invalid|Failed to parse/i.test(l)).join('\n'), '');
});

test('the image runs as non-root with a health check on /healthz', () => {
  const c = read('container/Containerfile');
  assert.match(c, /^USER node$/m);
  assert.match(c, /^HEALTHCHECK .*\n.*\/healthz/m);
  assert.match(c, /npm install -g --omit=dev/);
});

test('the HA nginx.conf passes nginx -t; the replicas\' config passes config check', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-deploy-'));
  try {
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'postgres://moatless@127.0.0.1:5432/moatless');
    writeFileSync(join(dir, 'moatless.yaml'), read('ha/moatless.yaml').replaceAll(/\/run\/secrets\/\w+/g, secret));
    const check = await runMoatless(['config', 'check', '--config', join(dir, 'moatless.yaml')]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /storage postgres/);

    const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
    assert.ok(nginx, 'nginx is missing: run scripts/ensure-services.sh');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=example.com', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
    // Compose service names do not resolve here: point the upstreams at loopback, certs at the temp dir.
    const conf = read('ha/nginx.conf').replaceAll(/moatless-[ab]:8080/g, '127.0.0.1:1').replaceAll('/etc/nginx/certs', dir)
      .replace('listen 80;', 'listen 127.0.0.1:1;').replace('listen 443 ssl', 'listen 127.0.0.1:2 ssl');
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const r = spawnSync(nginx, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `pid ${dir}/pid; error_log ${dir}/error.log;`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
