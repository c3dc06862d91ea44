// Turns zod issues into `path: message` config issues in one wording: lower-case, an unknown key
// named at its own path with the nearest known key ("did you mean"), a missing key called missing.
import type { z } from 'zod';
import { formatPath, lowerFirst, type ConfigIssue } from './issues.ts';

/** The parts of zod's internal schema definitions this walk reads (zod v4 `_zod.def`). */
interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
}

/** The keys an object schema at `path` accepts (all variants of a union), for suggestions. */
export function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const def = schema._zod.def as unknown as Def;
  if (def.innerType) return keysAt(def.innerType, path);
  if (def.type === 'pipe' && def.in) return keysAt(def.in, path);
  if (def.type === 'union' && def.options) return [...new Set(def.options.flatMap((o) => keysAt(o, path)))];
  if (def.type === 'array' && def.element && typeof path[0] === 'number') return keysAt(def.element, path.slice(1));
  if (def.type !== 'object' || !def.shape) return [];
  if (path.length === 0) return Object.keys(def.shape);
  const child = def.shape[String(path[0])];
  return child ? keysAt(child, path.slice(1)) : [];
}

/** Levenshtein distance; keys are short, so the plain two-row table is plenty. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The nearest known key, if it is near enough to be a typo (case and up to a third of the letters). */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = nearestKey(key, known);
  if (near) return `unknown key; did you mean "${near}"?`;
  return known.length > 0 ? `unknown key; known keys: ${known.join(', ')}` : 'unknown key';
}

/** `base` is where `schema` sits in the file (e.g. `['apps', 2]`); issue paths are relative to it. */
export function zodIssues(error: z.ZodError, schema: z.core.$ZodType, 
  base: readonly PropertyKey[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        out.push({ path: formatPath([...path, key]), message: unknownKeyMessage(key, known) });
      }
    } else if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
      out.push({ path: formatPath(path), message: `missing (expected ${issue.expected})` });
    } else if (issue.code === 'too_small' && issue.origin === 'array' && issue.minimum === 1) {
      out.push({ path: formatPath(path), message: 'must not be empty' });
    } else {
      out.push({ path: formatPath(path), message: lowerFirst(issue.message) });
    }
  }
  return out;
}
