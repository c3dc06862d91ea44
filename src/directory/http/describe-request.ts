// Names a SCIM request for the provisioning log when the service did not (errors, discovery):
// `create user`, `patch group`, `get schemas`. Must not: look at the body.
import type { ScimAudit } from '../scim-types.ts';

const VERBS: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' };

export function describeRequest(method: string, path: string): ScimAudit {
  const [first = '', id] = path.split('/').filter((s) => s !== '');
  const name = first.toLowerCase();
  const resourceType = name === 'users' ? 'User' : name === 'groups' ? 'Group' : null;
  const verb = VERBS[method] ?? method.toLowerCase();
  if (resourceType === null) return { operation: `${verb} ${name || 'root'}`.slice(0, 64), resourceType, resourceId: null, externalId: null };
  const noun = resourceType.toLowerCase();
  const operation = id === undefined && method === 'GET' ? `list ${noun}s` : id === '.search' ? `search ${noun}s` : `${verb} ${noun}`;
  return { operation, resourceType, resourceId: id !== undefined && id !== '.search' ? id.slice(0, 100) : null, externalId: null };
}
