// Prints a `Filter` back to RFC 7644 filter text: canonical (lower-case names and operators, quoted
// strings, minimal parentheses), so that parseFilter(printFilter(f)) deep-equals f. Used by logs and
// the parser fuzz test. Must not depend on a schema.

import type { AttrPath, Filter, FilterValue } from './filter-ast.ts';
import { pathText } from './attr-path.ts';

export function printFilter(f: Filter): string {
  switch (f.op) {
    case 'and':
      // `and` is left-associative and binds tighter than `or`.
      return `${wrapIf(f.left, f.left.op === 'or')} and ${wrapIf(f.right, f.right.op === 'or' || f.right.op === 'and')}`;
    case 'or':
      return `${printFilter(f.left)} or ${wrapIf(f.right, f.right.op === 'or')}`;
    case 'not':
      return `not (${printFilter(f.filter)})`;
    case 'pr':
      return `${printPath(f.path)} pr`;
    case 'valuePath':
      return `${printPath(f.path)}[${printFilter(f.filter)}]`;
    default:
      return `${printPath(f.path)} ${f.op} ${printValue(f.value)}`;
  }
}

function wrapIf(f: Filter, wrap: boolean): string {
  return wrap ? `(${printFilter(f)})` : printFilter(f);
}

export function printPath(p: AttrPath): string {
  return pathText(p);
}

function printValue(v: FilterValue): string {
  return JSON.stringify(v);
}
