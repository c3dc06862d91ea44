// Reads the numbered migration files of a dialect from ./migrations/<dialect>/. Owns: ordering
// and checksums. Must not: apply anything — each adapter's migrate.ts does, in its own way.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';

export interface Migration { version: number; name: string; sql: string; checksum: string }

export async function loadMigrations(dialect: 'sqlite' | 'postgres'): Promise<Migration[]> {
  const dir = new URL(`./migrations/${dialect}/`, import.meta.url);
  const files = (await readdir(dir)).filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f));
  const out: Migration[] = [];
  for (const name of files) {
    const sql = await readFile(new URL(name, dir), 'utf8');
    out.push({ version: Number(name.slice(0, 3)), name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i]?.version === out[i - 1]?.version) throw new Error(`duplicate migration number in ${dialect}`);
  }
  return out;
}
