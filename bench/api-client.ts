/**
 * A tiny RPC client for livesnap's cloud-compatible API: signature v1 (HMAC-SHA1) as in
 * spec/cloud-api-reference.md §1.4, POST with a form body.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const LIVE_API_VERSION = '2016-11-01';

/** §1.4 step 2: encodeURIComponent, then ! ' ( ) * too. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function signature(
  method: 'GET' | 'POST',
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  const toSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign).digest('base64');
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export class ApiClient {
  constructor(
    readonly endpoint: string,
    readonly accessKeyId: string,
    readonly accessKeySecret: string,
  ) {}

  async call(
    action: string,
    params: Readonly<Record<string, string | number | boolean>>,
  ): Promise<Record<string, unknown>> {
    const all: Record<string, string> = {
      Action: action,
      Version: LIVE_API_VERSION,
      Format: 'JSON',
      AccessKeyId: this.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: randomBytes(16).toString('hex'),
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    for (const [k, v] of Object.entries(params)) all[k] = String(v);
    all['Signature'] = signature('POST', all, this.accessKeySecret);
    const body = Object.entries(all)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&');
    const response = await fetch(`${this.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ApiError(response.status, 'NotJson', text.slice(0, 200));
    }
    if (!response.ok) {
      throw new ApiError(response.status, String(json['Code']), String(json['Message']));
    }
    return json;
  }
}
