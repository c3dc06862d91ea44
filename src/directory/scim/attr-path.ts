// Resolves a parsed attribute path (filter-ast `AttrPath`) against a resource schema: which
// definition it names and where its value lives (top level or inside an extension object).
// Must not read or write resource values; callers choose the error to throw when resolution fails.

import type { AttrPath } from './filter-ast.ts';
import type { AttributeDef, ResourceSchema, SchemaDef } from './schemas.ts';
import { findAttr, findExtension, topLevelAttrs } from './schemas.ts';

export type ResolvedPath =
  /** The whole extension object, e.g. path `urn:…:enterprise:2.0:User`. */
  | { kind: 'extension'; ext: SchemaDef }
  /** `container` is the extension URN holding the attribute, or undefined for top-level ones. */
  | { kind: 'attr'; container: string | undefined; def: AttributeDef; sub: AttributeDef | undefined };

export function resolvePath(schema: ResourceSchema, path: AttrPath): ResolvedPath | undefined {
  if (path.schema !== undefined && path.sub === undefined) {
    // The parser splits at the last ':', so a bare extension URN arrives as {schema:'urn:…:2.0', attr:'user'}.
    const ext = findExtension(schema, `${path.schema}:${path.attr}`);
    if (ext !== undefined) return { kind: 'extension', ext };
  }
  let container: string | undefined;
  let def: AttributeDef | undefined;
  if (path.schema === undefined) {
    def = findAttr(topLevelAttrs(schema), path.attr);
    // RFC 7644 §3.10 lets clients omit the URN when the name is unambiguous; Entra sends `manager eq …`.
    for (const ext of schema.extensions) {
      if (def !== undefined) break;
      def = findAttr(ext.attributes, path.attr);
      if (def !== undefined) container = ext.id;
    }
  } else if (path.schema === schema.core.id.toLowerCase()) {
    def = findAttr(topLevelAttrs(schema), path.attr);
  } else {
    const ext = findExtension(schema, path.schema);
    if (ext === undefined) return undefined;
    def = findAttr(ext.attributes, path.attr);
    container = ext.id;
  }
  if (def === undefined) return undefined;
  if (path.sub === undefined) return { kind: 'attr', container, def, sub: undefined };
  const sub = findAttr(def.subAttributes, path.sub);
  return sub === undefined ? undefined : { kind: 'attr', container, def, sub };
}

/** `urn:…:User:name.familyName` style text for messages and error details. */
export function pathText(path: AttrPath): string {
  const base = path.schema === undefined ? path.attr : `${path.schema}:${path.attr}`;
  return path.sub === undefined ? base : `${base}.${path.sub}`;
}
