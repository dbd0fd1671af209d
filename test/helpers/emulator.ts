import { afterAll, afterEach, beforeAll } from 'vitest';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js';

/**
 * Start one emulator (port 0) for the test file and reset its state after each test.
 * Returns a getter, since the emulator only exists once `beforeAll` has run.
 */
export function useEmulator(options: EmulatorOptions = {}): () => EmulatorHandle {
  let emulator: EmulatorHandle | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
  });
  afterEach(() => {
    emulator?.reset({ faults: true, rateLimits: true, clock: true });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  return () => {
    if (!emulator) throw new Error('useEmulator(): the emulator is not started yet (use it inside a test)');
    return emulator;
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or null for an empty body. */
  body: T;
  text: string;
}

/** A request to the emulator with a bearer token or none, returning status, headers and parsed body. */
export async function api<T = any>(
  emulator: EmulatorHandle,
  method: string,
  path: string,
  options: {
    token?: string | null;
    json?: unknown;
    body?: RequestInit['body'];
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? emulator.user.accessToken : options.token;
  if (token !== null && headers.authorization === undefined) headers.authorization = `Bearer ${token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${emulator.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = null;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}
