/**
 * Bearer-token authentication.
 *
 * Tokens come from configuration as `S3_INDEX_API_TOKENS="ro:<token>,rw:<token>,admin:<token>,…"`: a
 * comma-separated list of `<level>:<token>` pairs, the levels of src/engine/acl.ts:
 *   ro     listings, HEAD, stats, metrics, and on /redis the commands of no @write/@pubsub/@admin/@dangerous category
 *   rw     adds POST /v1/events and the @write and @pubsub commands (SET, HSET, ZADD, PUBLISH, …)
 *   admin  adds the @admin and @dangerous commands (CONFIG, CLIENT LIST/KILL, FLUSHALL, SWAPDB, KEYS, INFO, …)
 * A token is 16–256 characters of `[A-Za-z0-9._~-]` (so it is safe in a header, a URL and an AWS access key id).
 * No tokens configured means the API is open (admin, like Redis's default user without a password), and the Node
 * server then refuses to listen on anything but loopback (see node-server.ts).
 *
 * Comparison is constant-time: the presented token and every configured token are hashed to 32 bytes and compared
 * with `crypto.timingSafeEqual`, always against all configured tokens, so neither the length nor which token
 * matched shows in the timing.
 *
 * Where a token may be presented:
 *   - everywhere: `Authorization: Bearer <token>`
 *   - on /s3 also as the AWS access key id, so unmodified S3 clients work: a SigV4 header
 *     (`AWS4-HMAC-SHA256 Credential=<token>/…`), a presigned URL (`X-Amz-Credential=<token>/…`) or SigV2
 *     (`AWS <token>:…`). The signature itself is not verified (the server holds no secret keys); the access key id
 *     is the credential. Use TLS in front of the server when it is reachable from outside.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ACCESS_LEVELS, type AccessLevel, levelAllows } from '../engine/acl';

export type TokenKind = AccessLevel;

export interface ApiToken {
  readonly kind: TokenKind;
  readonly token: string;
}

const TOKEN_RE = /^[A-Za-z0-9._~-]{16,256}$/;

/** Parses `S3_INDEX_API_TOKENS`. Throws (a configuration error, at start-up) on anything malformed. */
export function parseApiTokens(spec: string | undefined): ApiToken[] {
  if (spec === undefined || spec.trim() === '') return [];
  const out: ApiToken[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const colon = item.indexOf(':');
    const kind = colon < 0 ? '' : item.slice(0, colon);
    const token = item.slice(colon + 1);
    if (!(ACCESS_LEVELS as readonly string[]).includes(kind)) {
      throw new Error(`S3_INDEX_API_TOKENS: each entry must be 'ro:<token>', 'rw:<token>' or 'admin:<token>'`);
    }
    if (!TOKEN_RE.test(token)) {
      throw new Error('S3_INDEX_API_TOKENS: a token must be 16-256 characters of A-Z a-z 0-9 . _ ~ -');
    }
    out.push({ kind: kind as TokenKind, token });
  }
  return out;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class Authenticator {
  private readonly entries: ReadonlyArray<{ kind: TokenKind; hash: Buffer }>;

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map((t) => ({ kind: t.kind, hash: digest(t.token) }));
  }

  /** false = open API (no tokens configured) */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /**
   * The level of the presented token, or undefined. Compares against every token, without early exit. Open API:
   * admin.
   */
  verify(presented: string | undefined): TokenKind | undefined {
    if (!this.enabled) return 'admin';
    if (presented === undefined) return undefined;
    const h = digest(presented);
    let found: TokenKind | undefined;
    for (const e of this.entries) {
      // the same token listed twice has the higher of its levels
      if (timingSafeEqual(h, e.hash) && (found === undefined || levelAllows(e.kind, found))) found = e.kind;
    }
    return found;
  }
}

/** The token in `Authorization: Bearer <token>`, if any. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  return m ? m[1] : undefined;
}

/**
 * The credential an S3 client presents: a bearer token, or the access key id of a SigV4/SigV2 header or of a
 * presigned URL's X-Amz-Credential.
 */
export function s3Credential(authorization: string | undefined, amzCredential: string | null): string | undefined {
  const bearer = bearerToken(authorization);
  if (bearer !== undefined) return bearer;
  if (authorization) {
    const v4 = /^AWS4-HMAC-SHA256\s+.*?Credential=([^/,\s]+)\//i.exec(authorization);
    if (v4) return v4[1];
    const v2 = /^AWS\s+([^:\s]+):/.exec(authorization);
    if (v2) return v2[1];
  }
  if (amzCredential) {
    const slash = amzCredential.indexOf('/');
    return slash > 0 ? amzCredential.slice(0, slash) : undefined;
  }
  return undefined;
}
