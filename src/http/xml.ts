/** Minimal XML writing for the S3-compatible endpoint: escaping and the S3 error document. */

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes text for an XML element. Characters XML 1.0 cannot carry at all (most C0 controls) are written as
 * character references the way S3 does (`&#x1;`), so keys with control characters still round-trip through
 * clients that use a lenient parser; `encoding-type=url` is the portable way for such keys.
 */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']|[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (ch) => {
    const e = XML_ESCAPES[ch];
    return e ?? `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`;
  });
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function s3ErrorXml(code: string, message: string, requestId: string, resource?: string): string {
  return (
    `${XML_DECLARATION}<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>` +
    (resource !== undefined ? `<Resource>${xmlEscape(resource)}</Resource>` : '') +
    `<RequestId>${xmlEscape(requestId)}</RequestId></Error>`
  );
}
