// The OpenAPI 3.1 document, generated from the routes' zod schemas by zod-openapi — never written
// by hand, so it cannot drift from what the API validates. Owns: the document's frame (security
// schemes, error responses). Must not: describe anything that is not a declared route.
import { createDocument } from 'zod-openapi';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { errorSchema } from './common.ts';
import type { Route } from './route.ts';

const errors = (codes: string[]) => Object.fromEntries(codes.map((c) => [c, {
  description: {
    400: 'Invalid request (details carry field paths)', 401: 'No valid credentials', 403: 'Not allowed (role, scope or CSRF)', 404: 'Not found',
    409: 'Conflict: defined in moatless.yaml (read-only here), already exists, or would lock every admin out',
    412: 'If-Match is stale: the object changed since it was read', 428: 'If-Match is required',
    502: 'Microsoft Graph or Entra refused or failed the call made on the caller\'s behalf (the message says why)',
  }[c] ?? c,
  content: { 'application/json': { schema: errorSchema } },
}]));

export function buildOpenApi(routes: readonly Route[], serverUrl: string): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const r of routes) {
    const op: ZodOpenApiOperationObject = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      description: r.access === 'write' ? 'Needs an admin (or a write-scoped token); recorded in the audit log.' : 'Admins, auditors and read-scoped tokens.',
      ...(r.schemas.params || r.schemas.query ? { requestParams: { ...(r.schemas.params ? { path: r.schemas.params } : {}), ...(r.schemas.query ? { query: r.schemas.query } : {}) } } : {}),
      ...(r.schemas.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.schemas.body } } } } : {}),
      responses: {
        [r.status ?? 200]: { description: 'OK', content: { 'application/json': { schema: r.schemas.response } } },
        ...errors([...(r.schemas.params ? ['400', '401', '403', '404'] : ['400', '401', '403']), ...(r.errors ?? [])]),
      },
    } as ZodOpenApiOperationObject;
    paths[r.path] = { ...paths[r.path], [r.method]: op };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Moatless admin API', version: '1', description: 'Sessions, directory, config, policy tester and logs. Errors are {code, message, details}.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from `moatless admin token create`.' },
        session: { type: 'apiKey', in: 'cookie', name: 'moatless_auth', description: 'The auth host session of a signed-in admin; state-changing calls need Origin equal to the auth origin.' },
      },
    },
    paths,
  });
}
