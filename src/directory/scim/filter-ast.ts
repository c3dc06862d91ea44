// The SCIM filter syntax tree (RFC 7644 §3.4.2.2), shared by the parser (directory) and the SQL
// translators (store). Attribute names and schema URNs are lower-cased by the parser, because SCIM
// attribute names are case-insensitive (RFC 7643 §2.1); values keep their case.

/** `urn:…:User:name.familyName` → { schema: 'urn:…:user', attr: 'name', sub: 'familyname' } */
export interface AttrPath {
  schema?: string;
  attr: string;
  sub?: string;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterValue = string | number | boolean | null;

export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  | { op: 'pr'; path: AttrPath }
  | { op: CompareOp; path: AttrPath; value: FilterValue }
  /** `emails[type eq "work" and value co "@contoso"]`: the inner filter's paths are relative to `path`. */
  | { op: 'valuePath'; path: AttrPath; filter: Filter };
