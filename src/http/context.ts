/** The per-request values the app's middleware sets for its routes. */
import type { TokenKind } from './auth';
import type { KeyRange } from './index-versions';

export interface AppEnv {
  Variables: {
    /** the kind of token the request authenticated with ('rw' when the API is open) */
    tokenKind: TokenKind;
    /** echoed as x-amz-request-id on /s3 and in S3 XML errors */
    requestId: string;
    /** a route's response body as bytes, set when the response cache may keep it */
    cacheBody: Uint8Array;
    /**
     * the object keys of its bucket a route's response depends on: the response cache keeps serving it through
     * changes of other keys (unset: any change of the bucket makes it stale)
     */
    cacheRange: KeyRange;
  };
}
