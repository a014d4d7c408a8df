/** Request bodies: read with a size limit (checked before and while reading), decoded as strict UTF-8 and JSON. */
import { badRequest, payloadTooLarge } from './errors';

/** Reads the whole body, failing with 413 as soon as it exceeds `limit` bytes. */
export async function readBodyLimited(req: Request, limit: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw payloadTooLarge(limit);
  if (req.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks, total);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const bytes = await readBodyLimited(req, limit);
  if (bytes.byteLength === 0) throw badRequest('request body is empty', 'InvalidRequest');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest('request body is not valid UTF-8', 'InvalidRequest');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON', 'InvalidJSON');
  }
}
