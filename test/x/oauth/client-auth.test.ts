import { describe, expect, it } from 'vitest';
import { parseBasic } from '../../../src/emulator/oauth/client-auth.js';
import { applyClientAuth, basicCredentials } from '../../../src/x/oauth/client-auth.js';
import type { XRequest } from '../../../src/x/request/types.js';

const TOKEN_REQUEST: XRequest = {
  method: 'POST',
  path: '/2/oauth2/token',
  endpoint: 'POST /2/oauth2/token',
  form: { grant_type: 'refresh_token', refresh_token: 'r' },
  auth: { kind: 'client', clientId: 'id' },
  idempotent: false,
};

describe('client authentication at the token endpoint (REFERENCE §1.3)', () => {
  it('confidential: Basic with both halves form-encoded (RFC 6749 §2.3.1), no client_id in the form', () => {
    const request = applyClientAuth({
      ...TOKEN_REQUEST,
      auth: { kind: 'client', clientId: 'a b', clientSecret: 's:%' },
    });
    expect(request.headers?.authorization).toBe(basicCredentials('a b', 's:%'));
    expect(parseBasic(request.headers!.authorization)).toEqual({ id: 'a b', secret: 's:%' });
    expect(request.form).toEqual(TOKEN_REQUEST.form);
  });

  it('public: client_id in the form, no Authorization header', () => {
    const request = applyClientAuth(TOKEN_REQUEST);
    expect(request.headers?.authorization).toBeUndefined();
    expect(request.form).toEqual({ ...TOKEN_REQUEST.form, client_id: 'id' });
  });

  it('gives the same request when applied twice, so a client plugin may apply it again', () => {
    const confidential = {
      ...TOKEN_REQUEST,
      auth: { kind: 'client' as const, clientId: 'id', clientSecret: 's' },
    };
    expect(applyClientAuth(applyClientAuth(confidential))).toEqual(applyClientAuth(confidential));
    expect(applyClientAuth(applyClientAuth(TOKEN_REQUEST))).toEqual(applyClientAuth(TOKEN_REQUEST));
  });

  it('leaves user and anonymous requests alone', () => {
    const user: XRequest = { ...TOKEN_REQUEST, auth: { kind: 'user' } };
    expect(applyClientAuth(user)).toBe(user);
  });
});
