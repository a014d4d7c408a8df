/**
 * The /v1 API as the page calls it: every request sends `Authorization: Bearer <token>` when a token is kept (in
 * sessionStorage: this tab only, gone when it closes; never in a URL), and the answers are typed as the server
 * writes them (src/http/v1-routes.ts, src/http/folder-routes.ts).
 */

export interface BucketSummary {
  name: string;
  objects: number;
  bytes: number;
}

export interface ObjectRow {
  key: string;
  size: number;
  etag: string | null;
  lastModified: string;
  storageClass: string;
  versionId: string | null;
}

export interface FolderFigures {
  prefix: string;
  objects: number;
  bytes: number;
}

export interface FoldersPage {
  bucket: string;
  prefix: string;
  delimiter: string;
  folders: FolderFigures[];
  objects: ObjectRow[];
  isTruncated: boolean;
  nextContinuationToken: string | null;
}

export interface Usage {
  bucket: string;
  prefix: string;
  objects: number;
  bytes: number;
  direct: { objects: number; bytes: number };
  folderCount: number;
  truncated: boolean;
  folders: FolderFigures[];
}

export interface Stats {
  objects: number;
  bytes: number;
}

/** The API refused the request for want of a (valid) token. */
export class Unauthorized extends Error {
  constructor() {
    super('an API token is needed');
    this.name = 'Unauthorized';
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 's3-index.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage refused (a private mode): the token lasts until the page reloads
  }
}

export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = storedToken();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers, signal, credentials: 'omit', referrerPolicy: 'no-referrer' });
  if (res.status === 401) throw new Unauthorized();
  if (!res.ok) {
    let code = 'HttpError';
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message);
  }
  return (await res.json()) as T;
}

const bucketPath = (bucket: string): string => `/v1/buckets/${encodeURIComponent(bucket)}`;

export const bucketsPath = (): string => '/v1/buckets';

export function foldersPath(bucket: string, prefix: string, maxKeys: number, token?: string): string {
  const q = new URLSearchParams({ prefix, delimiter: '/', 'max-keys': String(maxKeys) });
  if (token !== undefined) q.set('continuation-token', token);
  return `${bucketPath(bucket)}/folders?${q}`;
}

export const usagePath = (bucket: string, prefix: string, top: number): string =>
  `${bucketPath(bucket)}/usage?${new URLSearchParams({ prefix, delimiter: '/', top: String(top) })}`;

export const statsPath = (bucket: string, prefix: string): string =>
  `${bucketPath(bucket)}/stats?${new URLSearchParams({ prefix })}`;

/**
 * An object's metadata. The key is encoded whole ('/' as %2F, which the route decodes too): a key with '.' or '..'
 * segments would otherwise be rewritten by URL normalization before it is sent.
 */
export const objectPath = (bucket: string, key: string): string =>
  `${bucketPath(bucket)}/objects/${encodeURIComponent(key)}`;

export const isAbort = (err: unknown): boolean => err instanceof DOMException && err.name === 'AbortError';
