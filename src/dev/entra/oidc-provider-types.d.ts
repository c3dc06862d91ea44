// Minimal typings for the parts of oidc-provider v9 the emulator uses (the package ships none and
// @types/oidc-provider is not installed). Keep this to what the emulator calls; widen nothing.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcContext {
    route?: string;
    params?: Record<string, unknown>;
    claims: Record<string, unknown>;
    session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    client?: { clientId: string };
    result?: { login?: unknown; consent?: { grantId?: string } };
    requestParamOIDCScopes: Set<string>;
    requestParamClaims: Set<string>;
    entities: Record<string, unknown>;
  }

  export interface KoaContext {
    path: string;
    method: string;
    status: number;
    body: unknown;
    req: IncomingMessage;
    type: string;
    set(name: string, value: string): void;
    oidc: OidcContext;
  }

  export type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

  export interface AccountClaimsFn {
    (use: string, scope: string, claims: Record<string, unknown>, rejected: string[]): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export interface Account {
    accountId: string;
    claims: AccountClaimsFn;
  }

  export interface TokenLike {
    grantId?: string;
    sessionUid?: string;
  }

  export interface GrantInstance {
    jti?: string;
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    getOIDCScope(): string;
    getOIDCClaims(): string[];
    save(): Promise<string>;
  }

  export interface GrantClass {
    new (init: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string; uid?: string; amr?: string[] };
    grantId?: string;
  }

  export interface InteractionResult {
    login?: { accountId: string; amr?: string[]; acr?: string; remember?: boolean; ts?: number };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    issuer: string;
    Grant: GrantClass;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: Middleware): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: InteractionResult, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    registerGrantType(name: string, handler: (ctx: KoaContext) => Promise<void>, params?: string[]): void;
  }

  export class Check {
    static REQUEST_PROMPT: true;
    static NO_NEED_TO_PROMPT: false;
    constructor(reason: string, description: string, check: (ctx: KoaContext) => boolean | Promise<boolean>);
  }

  export interface PromptList extends Array<{ name: string; checks: Check[] }> {
    get(name: string): { name: string; checks: Check[] } | undefined;
  }

  export const interactionPolicy: {
    base(): PromptList;
    Check: typeof Check;
  };

  export const errors: {
    InvalidClientAuth: new (detail?: string) => Error & { error_detail?: string };
  };

  export default Provider;
}
