// Group writes in the Graph subset: create a security group (`POST /groups`), add a member
// (`POST /groups/{id}/members/$ref`) and remove one (`DELETE /groups/{id}/members/{memberId}/$ref`),
// with Graph's status codes and messages (group-post-groups, group-post-members,
// group-delete-members; reference §2.2–2.3), including the replication window after a create in
// which member adds fail with 400. Must not delete groups or member objects themselves.
import { z } from 'zod';
import type { Directory } from './directory.ts';
import { GraphError } from './errors.ts';
import { groupItem } from './graph-shapes.ts';
import type { Item } from './graph-odata.ts';

const CREATE = ['Group.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
const WRITE_MEMBERS = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];

// mailNickname: ≤ 64 ASCII characters without @ ( ) \ [ ] " ; : < > , or space (group resource).
const createBody = z.object({
  displayName: z.string().min(1).max(256),
  mailEnabled: z.boolean(),
  mailNickname: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/).refine((s) => !/[@()\\[\]";:<>,]/.test(s)),
  securityEnabled: z.boolean(),
  description: z.string().nullable().optional(),
  groupTypes: z.array(z.string()).optional(),
}).loose();
const refBody = z.object({ '@odata.id': z.string().min(1) });

export interface GroupWriteDeps {
  directory: Directory;
  graphUrl: string;
  now: () => number;
  /** After a create, member adds to that group fail with 400 for this long (Entra replication). */
  replicationLagMs: number;
}

type RequireRole = (accepted: readonly string[]) => void;

export interface GroupWriteRequest { method: string; body: unknown }

const NOT_EXIST = 'The source resource object or one of the objects being referenced do not exist.';

/** Handles the three writes; undefined when `segments` is not one of them. */
export function createGroupWrites(deps: GroupWriteDeps): (req: GroupWriteRequest, segments: readonly string[], requireRole: RequireRole) => { status: number; body: unknown } | undefined {
  const createdAt = new Map<string, number>();
  const notFound = (id: string) => new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

  return (req, segments, requireRole) => {
    const [root, id, rel, memberId, ref, ...extra] = segments;
    if (root !== 'groups' || extra.length) return undefined;
    if (!id && req.method === 'POST') {
      requireRole(CREATE);
      const body = createBody.safeParse(req.body);
      if (!body.success) throw new GraphError(400, 'Request_BadRequest', `Invalid value specified for property '${String(body.error.issues[0]?.path[0] ?? 'body')}' of resource 'Group'.`);
      const g = deps.directory.addGroup({
        displayName: body.data.displayName, securityEnabled: body.data.securityEnabled, mailEnabled: body.data.mailEnabled,
        ...(body.data.description ? { description: body.data.description } : {}),
      });
      createdAt.set(g.id, deps.now());
      const item: Item = { ...groupItem(g), mailNickname: body.data.mailNickname };
      return { status: 201, body: { '@odata.context': `${deps.graphUrl}/v1.0/$metadata#groups/$entity`, ...item } };
    }
    if (!id || rel !== 'members') return undefined;
    if (memberId === '$ref' && ref === undefined && req.method === 'POST') {
      requireRole(WRITE_MEMBERS);
      const group = deps.directory.group(id);
      if (!group) throw notFound(id);
      const body = refBody.safeParse(req.body);
      const target = body.success ? /\/directoryObjects\/([^/?#]+)$/.exec(body.data['@odata.id'])?.[1] : undefined;
      if (!target) throw new GraphError(400, 'Request_BadRequest', "Invalid '@odata.id': expected https://graph…/v1.0/directoryObjects/{id}.");
      const made = createdAt.get(group.id);
      if (made !== undefined && deps.now() - made < deps.replicationLagMs) throw new GraphError(400, 'Request_BadRequest', NOT_EXIST);
      const object = deps.directory.object(decodeURIComponent(target));
      if (!object) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${target}' does not exist or one of its queried reference-property objects are not present.`);
      const objectId = object.kind === 'user' ? object.user.id : object.group.id;
      if (deps.directory.members(group.id).some((o) => (o.kind === 'user' ? o.user.id : o.group.id) === objectId)) {
        throw new GraphError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.");
      }
      deps.directory.addMember(group.id, objectId);
      return { status: 204, body: null };
    }
    if (memberId && memberId !== '$ref' && ref === '$ref' && req.method === 'DELETE') {
      requireRole(WRITE_MEMBERS);
      const group = deps.directory.group(id);
      if (!group) throw notFound(id);
      if (!deps.directory.object(memberId) || !deps.directory.removeMember(group.id, memberId)) throw notFound(memberId);
      return { status: 204, body: null };
    }
    return undefined;
  };
}
