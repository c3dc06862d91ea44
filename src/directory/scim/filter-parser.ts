// Parser for SCIM filters (RFC 7644 §3.4.2.2, ABNF Figure 1) and PATCH paths (§3.5.2, Figure 2).
// Owns the text → `Filter` / `PatchPath` step, with limits. Must not resolve attributes against a
// schema (filter-validate does that) and must never return a partial result for bad input: every
// malformed text is a ScimError naming the offset.
//
// Grammar decisions:
// - Precedence: grouping > `not` > `and` > `or`; `and`/`or` are left-associative.
// - `attr[valFilter].sub op value` (Entra: `emails[type eq "work"].value eq "x"`) is not RFC filter
//   grammar but is what Entra sends; it is rewritten to `attr[valFilter and sub op value]`.
// - Inside `[...]` only plain sub-attribute names are allowed and value paths do not nest.
// - Keywords, operators and `true`/`false`/`null` are case-insensitive (ABNF literals are).
// - Bare words in value position (Microsoft's Postman collection: `userName sw O`) are accepted as
//   strings when `lenient` is on (the default). This is unambiguous: a bare value ends at
//   whitespace, `)` or `]`, and a bare word that is a keyword or operator is still an error.

import type { AttrPath, CompareOp, Filter, FilterValue } from './filter-ast.ts';
import { ScimError } from './errors.ts';
import type { ScimType } from './errors.ts';
import { checkStorable, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from './limits.ts';


export interface ParseOptions {
  /** Accept unquoted words as string values (default true). */
  lenient?: boolean;
}

/** A PATCH `path`: `attrPath`, `attrPath[valFilter]` or `attrPath[valFilter].subAttr`. */
export interface PatchPath {
  path: AttrPath;
  filter?: Filter;
  /** The sub-attribute after a value filter (`.value` in `emails[type eq "work"].value`). */
  sub?: string;
}

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const KEYWORDS: ReadonlySet<string> = new Set([...COMPARE_OPS, 'pr', 'and', 'or', 'not']);
const NAME = '[A-Za-z$][A-Za-z0-9_$-]*';
const PATH_RE = new RegExp(`^(?:(urn:[A-Za-z0-9.:_-]+):)?(${NAME})(?:\\.(${NAME}))?$`, 'i');
const NAME_RE = new RegExp(`^${NAME}$`);
const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

type TokenKind = '(' | ')' | '[' | ']' | 'string' | 'word' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  spaceBefore: boolean;
}

function tokenize(text: string, fail: (msg: string, pos: number) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const start = i;
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    const spaceBefore = i > start;
    if (i >= text.length) break;
    const c = text[i] as string;
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, text: c, pos: i, spaceBefore });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) fail('unterminated string', i);
      const raw = text.slice(i, j + 1);
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        fail('invalid string literal (JSON escapes only)', i);
      }
      // `"\u0000"` is valid JSON, but no backend can compare against it (see limits.ts).
      checkStorable(value as string, `the string at offset ${i}`);
      tokens.push({ kind: 'string', text: value as string, pos: i, spaceBefore });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()[\]"]/.test(text[j] as string)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), pos: i, spaceBefore });
      i = j;
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length, spaceBefore: false });
  return tokens;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;
  private inValuePath = false;
  private readonly lenient: boolean;
  private readonly errorType: ScimType;

  constructor(text: string, errorType: ScimType, lenient: boolean) {
    this.errorType = errorType;
    this.lenient = lenient;
    this.tokens = tokenize(text, (msg, pos) => this.fail(msg, pos));
  }

  fail(msg: string, pos: number): never {
    throw new ScimError(400, this.errorType, `${msg} at offset ${pos}`);
  }

  peek(): Token {
    return this.tokens[this.index] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(`expected ${what} but found ${describe(t)}`, t.pos);
    return t;
  }

  isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  enter(pos: number): void {
    if (++this.depth > MAX_FILTER_DEPTH) this.fail(`nesting deeper than ${MAX_FILTER_DEPTH}`, pos);
  }

  parseFilterAll(): Filter {
    const f = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(`unexpected ${describe(t)}`, t.pos);
    return f;
  }

  parseOr(): Filter {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.next();
      left = { op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  parseAnd(): Filter {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      this.next();
      left = { op: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  parseUnary(): Filter {
    const t = this.peek();
    if (t.kind === 'word' && t.text.toLowerCase() === 'not') {
      this.next();
      // RFC 7644 Figure 1: `not` always takes a parenthesised filter.
      const open = this.expect('(', '"(" after not');
      return { op: 'not', filter: this.group(open.pos) };
    }
    if (t.kind === '(') {
      this.next();
      return this.group(t.pos);
    }
    return this.parseAttrExp();
  }

  group(pos: number): Filter {
    this.enter(pos);
    const f = this.parseOr();
    this.expect(')', '")"');
    this.depth--;
    return f;
  }

  parseAttrExp(): Filter {
    const t = this.expect('word', 'an attribute path');
    const path = this.attrPath(t);
    const after = this.peek();
    if (after.kind === '[' && !after.spaceBefore) {
      if (this.inValuePath) this.fail('value filters do not nest', after.pos);
      if (path.sub !== undefined) this.fail('a value filter applies to an attribute, not a sub-attribute', after.pos);
      this.next();
      const inner = this.valueFilter(after.pos);
      const dot = this.peek();
      if (dot.kind !== 'word' || dot.spaceBefore || !dot.text.startsWith('.')) {
        return { op: 'valuePath', path, filter: inner };
      }
      this.next();
      const sub = dot.text.slice(1);
      if (!NAME_RE.test(sub)) this.fail(`invalid sub-attribute "${sub}"`, dot.pos + 1);
      const cond = this.comparison({ attr: sub.toLowerCase() });
      return { op: 'valuePath', path, filter: { op: 'and', left: inner, right: cond } };
    }
    return this.comparison(path);
  }

  valueFilter(pos: number): Filter {
    this.enter(pos);
    this.inValuePath = true;
    const inner = this.parseOr();
    this.inValuePath = false;
    this.expect(']', '"]"');
    this.depth--;
    return inner;
  }

  comparison(path: AttrPath): Filter {
    const opTok = this.expect('word', 'an operator');
    const op = opTok.text.toLowerCase();
    if (op === 'pr') return { op: 'pr', path };
    if (!COMPARE_OPS.has(op)) this.fail(`unknown operator "${opTok.text}"`, opTok.pos);
    return { op: op as CompareOp, path, value: this.value() };
  }

  value(): FilterValue {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind !== 'word') this.fail(`expected a value but found ${describe(t)}`, t.pos);
    const lower = t.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (NUMBER_RE.test(t.text)) {
      const n = Number(t.text);
      if (!Number.isFinite(n)) this.fail('number out of range', t.pos);
      return n === 0 ? 0 : n; // -0 and 0 are the same SCIM value
    }
    if (!this.lenient) this.fail('string values must be quoted', t.pos);
    if (KEYWORDS.has(lower)) this.fail(`expected a value but found keyword "${t.text}"`, t.pos);
    return t.text;
  }

  attrPath(t: Token): AttrPath {
    const m = PATH_RE.exec(t.text);
    if (m === null) this.fail(`invalid attribute path "${t.text}"`, t.pos);
    if (KEYWORDS.has(t.text.toLowerCase())) this.fail(`expected an attribute path but found keyword "${t.text}"`, t.pos);
    const [, schema, attr, sub] = m;
    if (this.inValuePath && (schema !== undefined || sub !== undefined)) {
      this.fail('inside a value filter only sub-attribute names are allowed', t.pos);
    }
    const path: AttrPath = { attr: (attr as string).toLowerCase() };
    if (schema !== undefined) path.schema = schema.toLowerCase();
    if (sub !== undefined) path.sub = sub.toLowerCase();
    return path;
  }

  parsePatchPathAll(): PatchPath {
    const t = this.expect('word', 'an attribute path');
    const result: PatchPath = { path: this.attrPath(t) };
    const open = this.peek();
    if (open.kind === '[' && !open.spaceBefore) {
      if (result.path.sub !== undefined) this.fail('a value filter applies to an attribute, not a sub-attribute', open.pos);
      this.next();
      result.filter = this.valueFilter(open.pos);
      const dot = this.peek();
      if (dot.kind === 'word' && !dot.spaceBefore && dot.text.startsWith('.')) {
        this.next();
        const sub = dot.text.slice(1);
        if (!NAME_RE.test(sub)) this.fail(`invalid sub-attribute "${sub}"`, dot.pos + 1);
        result.sub = sub.toLowerCase();
      }
    }
    const end = this.peek();
    if (end.kind !== 'eof') this.fail(`unexpected ${describe(end)}`, end.pos);
    return result;
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of input';
  if (t.kind === 'string') return 'a string';
  return `"${t.text}"`;
}

function checkLength(text: unknown, errorType: ScimType, what: string): string {
  if (typeof text !== 'string') throw new ScimError(400, errorType, `${what} must be a string`);
  if (text.length > MAX_FILTER_LENGTH) {
    throw new ScimError(400, errorType, `${what} longer than ${MAX_FILTER_LENGTH} characters`);
  }
  if (text.trim() === '') throw new ScimError(400, errorType, `${what} is empty`);
  checkStorable(text, what);
  return text;
}

/** Parses a filter; throws ScimError(400, 'invalidFilter') with the offset on any malformed input. */
export function parseFilter(text: string, options: ParseOptions = {}): Filter {
  const checked = checkLength(text, 'invalidFilter', 'filter');
  return new Parser(checked, 'invalidFilter', options.lenient ?? true).parseFilterAll();
}

/**
 * Parses a PATCH path (RFC 7644 §3.5.2 Figure 2, also used for `attributes=` entries); errors carry
 * `errorType` (invalidPath for PATCH). Value filter literals must be quoted here.
 */
export function parsePatchPath(text: string, errorType: ScimType = 'invalidPath'): PatchPath {
  const checked = checkLength(text, errorType, 'path');
  return new Parser(checked, errorType, false).parsePatchPathAll();
}
