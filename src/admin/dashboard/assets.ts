// The dashboard's built files (web/dashboard/dist, committed; `npm run build:dashboard` makes them).
// Owns: reading them once into memory and answering which file a request path names. Must not:
// serve anything outside the build folder (names are looked up in a table, never joined to a path).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';

/** The same depth from src/admin/dashboard and from the packaged dist/admin/dashboard. */
export const DASHBOARD_DIST = resolve(import.meta.dirname, '../../../web/dashboard/dist');

export interface Asset {
  body: Buffer;
  type: string;
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
  const index = assets.get('index.html') ?? null;
  assets.delete('index.html');
  return { index, assets };
}
