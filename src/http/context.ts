/** The per-request values the app's middleware sets for its routes. */
import type { TokenKind } from './auth';

export interface AppEnv {
  Variables: {
    /** the kind of token the request authenticated with ('rw' when the API is open) */
    tokenKind: TokenKind;
    /** echoed as x-amz-request-id on /s3 and in S3 XML errors */
    requestId: string;
    /** a route's response body as bytes, set when the response cache may keep it */
    cacheBody: Uint8Array;
  };
}
