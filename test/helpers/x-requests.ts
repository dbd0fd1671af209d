import { expect } from 'vitest';
import type { XRequest } from '../../src/x/request/types.js';

/** `GET /2/users/me`: the cheapest idempotent user-context call. */
export const ME_REQUEST: XRequest = {
  method: 'GET',
  path: '/2/users/me',
  endpoint: 'GET /2/users/me',
  auth: { kind: 'user' },
  idempotent: true,
};

/** `POST /2/tweets` with `text`: the non-idempotent write. */
export function postRequest(text: string): XRequest {
  return {
    method: 'POST',
    path: '/2/tweets',
    endpoint: 'POST /2/tweets',
    auth: { kind: 'user' },
    idempotent: false,
    json: { text },
  };
}

/** The rejection of a promise that must fail (the test fails if it resolves). */
export function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('it succeeded'),
    (e: unknown) => e,
  );
}
