// The dashboard's built files (web/dashboard/dist, committed; `npm run build:dashboard` makes them).
// Owns: reading them once into memory and answering which file a request path names. Must not:
// serve anything outside the build folder (names are looked up in a table, never joined to a path).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';

/**
 * Which stored form of an asset to send for an Accept-Encoding header: brotli, then gzip, then the
 * plain bytes. A coding listed with q=0 is refused (RFC 9110 §12.5.3); `*` counts for both.
 */
export function pickEncoding(a: Asset, acceptEncoding: string | undefined): { body: Buffer; encoding: 'br' | 'gzip' | null } {
  const q = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp === undefined ? 1 : Number(qp.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (a.br && accepts('br')) return { body: a.br, encoding: 'br' };
  if (a.gzip && accepts('gzip')) return { body: a.gzip, encoding: 'gzip' };
  return { body: a.body, encoding: null };
}

/** The same depth from src/admin/dashboard and from the packaged dist/admin/dashboard. */
export const DASHBOARD_DIST = resolve(import.meta.dirname, '../../../web/dashboard/dist');

export interface Asset {
  body: Buffer;
  type: string;
  /** The same bytes compressed at build time (`.br`/`.gz` beside the file), when the build made them. */
  br?: Buffer;
  gzip?: Buffer;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface DashboardFiles {
  index: Asset | null;
  /** Hashed files by their path under dist, e.g. `assets/index-3fa2c1.js`. */
  assets: ReadonlyMap<string, Asset>;
}

export function loadDashboardFiles(dir = DASHBOARD_DIST): DashboardFiles {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return { index: null, assets };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const type = TYPES[extname(entry.name)];
    if (type) assets.set(relative(dir, file).split(sep).join('/'), { body: readFileSync(file), type });
  }
  // Precompressed twins (web/dashboard/vite.config.mjs) ride on their file; alone they are not served.
  for (const [name, asset] of assets) {
    const br = join(dir, `${name}.br`);
    const gz = join(dir, `${name}.gz`);
    if (existsSync(br)) asset.br = readFileSync(br);
    if (existsSync(gz)) asset.gzip = readFileSync(gz);
  }
  const index = assets.get('index.html') ?? null;
  assets.delete('index.html');
  return { index, assets };
}
