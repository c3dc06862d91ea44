// Creates, replaces, patches and deletes the API's config objects (apps, policies, rule groups,
// identity providers — whose secrets are only named, config/api-secret-refs.ts).
// Every write is judged as the whole config it would produce — moatless.yaml plus every API object,
// through the same schema and policy compiler as the file — refused if it would lock the admins
// out, stored with a version check (If-Match), announced on the change feed inside the same
// transaction, and applied here before answering. Owns: those rules. Must not: read HTTP objects
// or let an object defined in moatless.yaml change.
import { randomBytes } from 'node:crypto';
import { apiSecretRefProblems } from '../../config/api-secret-refs.ts';
import { apiPath, policyParts, policiesOfApp } from '../../config/layered.ts';
import type { ResolvedConfig } from '../../config/load.ts';
import { StoreConflictError, StoreVersionError } from '../../store/errors.ts';
import type { ConfigObjectKind, ConfigObjectRecord, Store } from '../../store/ports.ts';
import { ApiError, notFound } from '../api/errors.ts';
import type { AuditNote } from '../api/route.ts';
import { CONFIG_OBJECTS_TOPIC, type ConfigLayers } from './layers.ts';
import { adminLockout } from './lockout.ts';

export interface WriteDeps {
  store: Store;
  layers: ConfigLayers;
  config(): ResolvedConfig;
  now(): number;
}

export interface Writer { actor: string; audit(note: AuditNote): Promise<void> }

export const LABEL: Record<ConfigObjectKind, string> = { app: 'app', policy: 'policy', ruleGroup: 'rule group', identityProvider: 'identity provider' };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const etagOf = (o: Pick<ConfigObjectRecord, 'version'>): string => `"v${o.version}"`;

/** The version an If-Match names; 428 without one (an unconditional write could overwrite someone). */
function expectedVersion(ifMatch: string | null, what: string): number {
  if (ifMatch === null) {
    throw new ApiError('precondition_required', `send If-Match with the ETag you read (GET ${what}), so a change made since is not overwritten`);
  }
  const m = /^(?:W\/)?"v(\d{1,15})"$/.exec(ifMatch.trim());
  return m ? Number(m[1]) : -1;
}

function fileName(cfg: ResolvedConfig): string {
  return cfg.sourcePath ?? 'moatless.yaml';
}

/** 409 for a name that moatless.yaml defines: the file is the source of truth for it. */
function refuseConfigObject(cfg: ResolvedConfig, kind: ConfigObjectKind, id: string): void {
  const fromApi = (k: ConfigObjectKind) => cfg.apiObjects.some((o) => o.kind === k && o.id === id);
  const inFile = kind === 'app' ? cfg.apps.some((a) => a.id === id) && !fromApi(kind)
    : kind === 'ruleGroup' ? cfg.ruleGroups.some((g) => g.name === id) && !fromApi(kind)
      : kind === 'identityProvider' ? cfg.identityProviders.some((p) => p.id === id) && !fromApi(kind)
        : id.startsWith('yaml.');
  if (inFile) throw readOnly(cfg, `${LABEL[kind]} "${id}"`, 'change it there');
}

function readOnly(cfg: ResolvedConfig, what: string, todo: string): ApiError {
  return new ApiError('read_only', `${what} is defined in ${fileName(cfg)}: ${todo} (objects from the file are read-only here)`);
}

const bodyProblem = (path: string, message: string) => new ApiError('invalid_request', 'the body is invalid', [{ path, message }]);

/** The id a new object gets: the app's id, the rule group's name, a fresh id for a policy. */
function idFor(kind: ConfigObjectKind, body: Record<string, unknown>): string {
  if (kind === 'policy') return `p-${randomBytes(6).toString('hex')}`;
  const id = body[kind === 'ruleGroup' ? 'name' : 'id'];
  return typeof id === 'string' ? id : '';
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

type Repo = Store['admin']['configObjects'];

export class ConfigWrites {
  readonly #d: WriteDeps;
  constructor(deps: WriteDeps) {
    this.#d = deps;
  }

  async create(kind: ConfigObjectKind, body: Record<string, unknown>, who: Writer): Promise<ConfigObjectRecord> {
    const id = idFor(kind, body);
    refuseConfigObject(this.#d.config(), kind, id);
    const saved = await this.#write(async (repo, objects) => {
      if (objects.some((o) => o.kind === kind && o.id === id)) {
        throw new ApiError('conflict', `${LABEL[kind]} "${id}" exists already; change it with PUT`);
      }
      this.#checkPolicyApp(kind, body, objects);
      checkSecretRefs(kind, body);
      const t = this.#d.now();
      const rec: ConfigObjectRecord = { kind, id, body, version: 1, createdAt: t, createdBy: who.actor, updatedAt: t, updatedBy: who.actor };
      this.#judge(objects, [...objects, rec], rec);
      return repo.create({ kind, id, body, createdAt: t, createdBy: who.actor });
    });
    await who.audit({ action: `${kind}.create`, target: `${kind}:${id}`, before: null, after: body });
    return saved;
  }

  async replace(
    kind: ConfigObjectKind, id: string, body: Record<string, unknown>, ifMatch: string | null, who: Writer,
  ): Promise<ConfigObjectRecord> {
    return this.#change(kind, id, ifMatch, who, () => body);
  }

  async patch(
    kind: ConfigObjectKind, id: string, patch: Record<string, unknown>, ifMatch: string | null, who: Writer,
  ): Promise<ConfigObjectRecord> {
    return this.#change(kind, id, ifMatch, who, (cur) => {
      const merged = mergePatch(cur.body, patch);
      return isRecord(merged) ? merged : {};
    });
  }

  /** Deletes the object; an app takes its API policies with it. */
  async remove(kind: ConfigObjectKind, id: string, ifMatch: string | null, who: Writer): Promise<{ deleted: number }> {
    refuseConfigObject(this.#d.config(), kind, id);
    const version = expectedVersion(ifMatch, `${pathOf(kind)}/${id}`);
    const { cur, policies } = await this.#write(async (repo, objects) => {
      const found = this.#current(objects, kind, id);
      this.#stale(found, version);
      if (kind === 'identityProvider') this.#refuseIdpInUse(id);
      const own = kind === 'app' ? policiesOfApp(objects, id) : [];
      const gone = new Set([found, ...own]);
      this.#judge(objects, objects.filter((o) => !gone.has(o)), null);
      if (!(await repo.remove(kind, id, version))) throw notFound(`${LABEL[kind]} "${id}"`);
      for (const p of own) await repo.remove('policy', p.id, p.version);
      return { cur: found, policies: own };
    });
    await who.audit({
      action: `${kind}.delete`, target: `${kind}:${id}`, after: null,
      before: kind !== 'app' ? cur.body
        : { ...(isRecord(cur.body) ? cur.body : {}), policies: policies.map((p) => ({ id: p.id, ...policyParts(p.body).policy })) },
    });
    return { deleted: 1 + policies.length };
  }

  /**
   * Sets the evaluation order of an API app's policies in one write: `policies` lists every one of
   * them, each with the ETag it was read with, in the new order. All or nothing — no replica ever
   * serves a half-renumbered app.
   */
  async reorder(app: string, policies: readonly { id: string; etag: string }[], who: Writer): Promise<ConfigObjectRecord[]> {
    refuseConfigObject(this.#d.config(), 'app', app);
    let before: string[] = [];
    const saved = await this.#write(async (repo, objects) => {
      this.#current(objects, 'app', app);
      const current = policiesOfApp(objects, app);
      before = current.map((p) => p.id);
      const wanted = policies.map((p) => p.id);
      if (wanted.length !== current.length || new Set(wanted).size !== wanted.length || !current.every((p) => wanted.includes(p.id))) {
        throw bodyProblem('body.policies', `list every policy of app "${app}" once: ${before.join(', ') || '(none)'}`);
      }
      const byId = new Map(current.map((p) => [p.id, p]));
      const changes = policies.map(({ id, etag }, i) => {
        const cur = byId.get(id)!;
        this.#stale(cur, expectedVersion(etag, `/policies/${id}`));
        return { cur, order: (i + 1) * 10 };
      }).filter(({ cur, order }) => policyParts(cur.body).order !== order);
      const next = new Map(changes.map(({ cur, order }) => [cur, { ...cur, body: { ...(cur.body as object), order }, version: cur.version + 1 }]));
      this.#judge(objects, objects.map((o) => next.get(o) ?? o), null);
      const out: ConfigObjectRecord[] = [];
      for (const [cur, changed] of next) {
        const r = await repo.update('policy', cur.id, cur.version, { body: changed.body, at: this.#d.now(), by: who.actor });
        if (!r) throw notFound(`policy "${cur.id}"`);
        out.push(r);
      }
      return out;
    });
    await who.audit({ action: 'policy.reorder', target: `app:${app}`, before: { policies: before }, after: { policies: policies.map((p) => p.id) } });
    return saved;
  }

  /** PUT and PATCH: the new body from the current one, judged and stored if If-Match is current. */
  async #change(
    kind: ConfigObjectKind, id: string, ifMatch: string | null, who: Writer, next: (cur: ConfigObjectRecord) => Record<string, unknown>,
  ): Promise<ConfigObjectRecord> {
    refuseConfigObject(this.#d.config(), kind, id);
    const version = expectedVersion(ifMatch, `${pathOf(kind)}/${id}`);
    let before: unknown = null;
    let body: Record<string, unknown> = {};
    const saved = await this.#write(async (repo, objects) => {
      const cur = this.#current(objects, kind, id);
      before = cur.body;
      body = next(cur);
      if (kind !== 'policy' && idFor(kind, body) !== id) {
        throw bodyProblem(`body.${kind === 'ruleGroup' ? 'name' : 'id'}`, `must stay "${id}" (create a new ${LABEL[kind]} to rename)`);
      }
      checkSecretRefs(kind, body);
      if (kind === 'policy' && policyParts(body).app !== policyParts(cur.body).app) {
        throw bodyProblem('body.app', `a policy stays with its app "${policyParts(cur.body).app}"; create a new one for another app`);
      }
      this.#stale(cur, version);
      const changed = { ...cur, body, version: cur.version + 1 };
      this.#judge(objects, objects.map((o) => (o === cur ? changed : o)), changed);
      const r = await repo.update(kind, id, version, { body, at: this.#d.now(), by: who.actor });
      if (!r) throw notFound(`${LABEL[kind]} "${id}"`);
      return r;
    });
    await who.audit({ action: `${kind}.update`, target: `${kind}:${id}`, before, after: body });
    return saved;
  }

  #current(objects: readonly ConfigObjectRecord[], kind: ConfigObjectKind, id: string): ConfigObjectRecord {
    const cur = objects.find((o) => o.kind === kind && o.id === id);
    if (!cur) throw notFound(`${LABEL[kind]} "${id}"`);
    return cur;
  }

  #stale(cur: ConfigObjectRecord, version: number): void {
    if (cur.version === version) return;
    throw new ApiError('precondition_failed',
      `${LABEL[cur.kind]} "${cur.id}" was changed by ${cur.updatedBy} since you read it (now ${etagOf(cur)}); `
        + 'reload it and make your change again',
      [], { etag: etagOf(cur) });
  }

  /** An identity provider an app offers for sign-in stays while that app names it. */
  #refuseIdpInUse(id: string): void {
    const cfg = this.#d.config();
    const users = cfg.apps.filter((a) => (a.identityProviders ?? []).includes(id)).map((a) => `"${a.id}"`);
    const risk = cfg.risk?.identityProvider === id ? ['the risk sync'] : [];
    const all = [...users.map((u) => `app ${u}`), ...risk];
    if (all.length === 0) return;
    throw new ApiError('conflict', `identity provider "${id}" is used by ${all.join(', ')}: remove it from their identityProviders first`);
  }

  /** A policy belongs to an app created through the API; the file's apps take their policies from the file. */
  #checkPolicyApp(kind: ConfigObjectKind, body: Record<string, unknown>, objects: readonly ConfigObjectRecord[]): void {
    if (kind !== 'policy') return;
    const app = policyParts(body).app;
    if (objects.some((o) => o.kind === 'app' && o.id === app)) return;
    const cfg = this.#d.config();
    if (cfg.apps.some((a) => a.id === app)) throw readOnly(cfg, `app "${app}"`, 'add its policies there');
    throw bodyProblem('body.app', `unknown app "${app}"`);
  }

  /**
   * Refuses a change whose resulting config would not be served whole (every problem, with paths:
   * `body.…` inside the object being written), or would lock every admin out.
   */
  #judge(before: readonly ConfigObjectRecord[], after: readonly ConfigObjectRecord[], changed: ConfigObjectRecord | null): void {
    const known = new Set(this.#d.layers.check(before).rejected.map((i) => `${i.path}\n${i.message}`));
    const r = this.#d.layers.check(after);
    if (!r.ok) throw new ApiError('unavailable', `${fileName(this.#d.config())} has problems of its own; fix the file first`, r.issues);
    const fresh = r.rejected.filter((i) => !known.has(`${i.path}\n${i.message}`) && !i.message.startsWith('not served:'));
    if (fresh.length > 0) {
      const prefix = changed ? apiPath(changed, '') : null;
      const inBody = (path: string) => (prefix && path.startsWith(prefix) ? `body${path.slice(prefix.length)}` : path);
      const details = fresh.map((i) => ({ path: inBody(i.path), message: i.message }));
      throw new ApiError('invalid_request', changed ? `the ${LABEL[changed.kind]} is invalid` : 'other objects depend on this one', details);
    }
    const lockout = adminLockout(r.config);
    if (lockout) throw new ApiError('admin_lockout', `refused: ${lockout}`);
  }

  /**
   * One transaction: take the writers' lock, read every object, let `fn` judge and write, announce
   * the change on the feed. Two admins writing at once are judged one after the other, each seeing
   * the other's object. Then this replica applies it before answering.
   */
  async #write<T>(fn: (repo: Repo, objects: readonly ConfigObjectRecord[]) => Promise<T>): Promise<T> {
    let out: T;
    try {
      out = await this.#d.store.transaction(async (tx) => {
        const repo = tx.admin.configObjects;
        await repo.lockForWrite();
        const v = await fn(repo, await repo.list());
        await tx.changes.publish(CONFIG_OBJECTS_TOPIC, {});
        return v;
      });
    } catch (err) {
      if (err instanceof StoreVersionError) {
        const etag = `"v${err.actual}"`;
        throw new ApiError('precondition_failed', `changed by someone else just now (now ${etag}); reload it and make your change again`, [], { etag });
      }
      if (err instanceof StoreConflictError) throw new ApiError('conflict', 'it exists already; change it with PUT');
      throw err;
    }
    await this.#d.layers.refresh();
    return out;
  }
}

export function pathOf(kind: ConfigObjectKind): string {
  return kind === 'app' ? '/apps' : kind === 'policy' ? '/policies' : kind === 'ruleGroup' ? '/rule-groups' : '/identity-providers';
}

/** An identity provider's secrets are named (an environment variable), never sent: api-secret-refs.ts. */
function checkSecretRefs(kind: ConfigObjectKind, body: Record<string, unknown>): void {
  if (kind !== 'identityProvider') return;
  const problems = apiSecretRefProblems(body);
  if (problems.length > 0) throw new ApiError('invalid_request', 'the body is invalid', problems);
}
