import { randomUUID } from 'node:crypto';

/** Response formats (spec §1.2 `Format`). */
export const ResponseFormat = { Json: 'JSON', Xml: 'XML' } as const;
export type ResponseFormat = (typeof ResponseFormat)[keyof typeof ResponseFormat];

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';
/** The newer SDKs parse an XML error only with exactly this content type (spec §1.6). */
export const XML_CONTENT_TYPE = 'text/xml;charset=utf-8';

/** A serialized RPC answer, independent of the HTTP framework. */
export interface RpcReply {
  status: number;
  contentType: string;
  body: string;
  /** The envelope before serialization (for logs and in-process callers). */
  envelope: Record<string, unknown>;
}

/** GUID-like uppercase request id (spec §1.6). */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

export interface ErrorEnvelope {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend?: string;
}

export function serialize(
  status: number,
  envelope: Record<string, unknown>,
  format: ResponseFormat,
  xmlRoot: string,
): RpcReply {
  if (format === ResponseFormat.Xml) {
    return {
      status,
      contentType: XML_CONTENT_TYPE,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${xmlElement(xmlRoot, envelope)}`,
      envelope,
    };
  }
  return { status, contentType: JSON_CONTENT_TYPE, body: JSON.stringify(envelope), envelope };
}

/**
 * Minimal JSON → XML mapping used by the legacy `Format=XML`: an object becomes child
 * elements; an array repeats the element under its key (so the Live wrapped list
 * `{"List":{"Item":[…]}}` becomes `<List><Item/>…</List>`); scalars become text.
 */
export function xmlElement(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => xmlElement(name, v)).join('');
  if (value === null || value === undefined) return `<${name}/>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => xmlElement(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}
