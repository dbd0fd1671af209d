import { describe, expect, it } from 'vitest';
import {
  buildAuthorizeUrl,
  codeChallengeS256,
  DEFAULT_SCOPES,
  generateCodeVerifier,
  generateState,
  startAuthorization,
} from '../../../src/x/oauth/pkce.js';

describe('PKCE', () => {
  it('makes verifiers of 43–128 unreserved characters, different every time', () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => generateCodeVerifier()));
    expect(verifiers.size).toBe(50);
    for (const v of verifiers) expect(v).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
  });

  it('computes the S256 challenge of RFC 7636 Appendix B', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('refuses a verifier outside RFC 7636 §4.1', () => {
    expect(() => codeChallengeS256('short')).toThrow(/43–128/);
    expect(() => codeChallengeS256('a'.repeat(129))).toThrow(/43–128/);
  });

  it('makes states from random bytes, different every time', () => {
    const states = new Set(Array.from({ length: 50 }, () => generateState()));
    expect(states.size).toBe(50);
    for (const s of states) expect(s.length).toBeGreaterThanOrEqual(43);
  });
});

describe('buildAuthorizeUrl', () => {
  it('carries every parameter X needs, with the posting scopes by default', () => {
    const url = buildAuthorizeUrl({
      clientId: 'client-1',
      redirectUri: 'http://127.0.0.1:8976/callback',
      state: 'st',
      codeChallenge: 'ch',
    });
    expect(url.origin + url.pathname).toBe('https://x.com/i/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'http://127.0.0.1:8976/callback',
      scope: 'tweet.read tweet.write users.read offline.access media.write',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(url.search).toContain('scope=tweet.read%20tweet.write');
    expect(DEFAULT_SCOPES).toContain('offline.access');
  });

  it('takes other scopes and another authorize base', () => {
    const url = buildAuthorizeUrl({
      clientId: 'c',
      redirectUri: 'http://localhost/cb',
      state: 's',
      codeChallenge: 'x',
      scopes: ['tweet.read', 'users.read'],
      authorizeBase: 'http://127.0.0.1:9/i/oauth2/authorize',
    });
    expect(url.host).toBe('127.0.0.1:9');
    expect(url.searchParams.get('scope')).toBe('tweet.read users.read');
  });

  it('refuses a state longer than X allows', () => {
    expect(() =>
      buildAuthorizeUrl({
        clientId: 'c',
        redirectUri: 'http://l/cb',
        state: 'x'.repeat(501),
        codeChallenge: 'x',
      }),
    ).toThrow(/500/);
  });
});

describe('startAuthorization', () => {
  it('returns a URL whose challenge is the S256 of the verifier it returns', () => {
    const started = startAuthorization({ clientId: 'c', redirectUri: 'http://l/cb' });
    expect(started.url.searchParams.get('state')).toBe(started.state);
    expect(started.url.searchParams.get('code_challenge')).toBe(codeChallengeS256(started.codeVerifier));
  });
});
