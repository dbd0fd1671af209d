import type { XRequest } from './types.js';

export interface SerializedBody {
  body?: RequestInit['body'];
  contentType?: string;
}

/** `json`, `form` or `body` as fetch wants it; at most one is set (the client checks). */
export function serializeBody(request: XRequest): SerializedBody {
  if (request.json !== undefined) {
    return { body: JSON.stringify(request.json), contentType: 'application/json' };
  }
  if (request.form !== undefined) {
    return {
      body: new URLSearchParams(request.form).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  if (request.body !== undefined && request.body !== null) return { body: request.body };
  return {};
}

/** The body as JSON when it parses, the text otherwise, null when empty (REFERENCE §5.1). */
export function parseBody(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
