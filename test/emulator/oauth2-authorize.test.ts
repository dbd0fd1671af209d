import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import {
  authorizeQuery,
  consent,
  formFields,
  getAuthorize,
  POSTING_SCOPES,
  pkcePair,
  postConsent,
  REDIRECT_URI,
} from '../helpers/oauth2-flow.js';

describe('GET /i/oauth2/authorize', () => {
  const emu = useEmulator();

  it('renders a consent page with the app, the scopes in words, the users and a form', async () => {
    const res = await getAuthorize(emu(), authorizeQuery(emu()));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toContain(emu().app.name);
    expect(html).toContain('Post and repost for you.');
    expect(html).toContain('Upload media, such as images and videos, for you.');
    expect(html).toContain('<form method="post" action="/i/oauth2/authorize">');
    expect(html).toContain(`@${emu().otherUser.username}`);
    expect(html).toMatch(/<button type="submit" name="decision" value="approve">/);
    expect(html).toMatch(/<button type="submit" name="decision" value="deny">/);
    const fields = formFields(html);
    expect(fields).toMatchObject({
      response_type: 'code',
      client_id: emu().app.clientId,
      redirect_uri: REDIRECT_URI,
      scope: POSTING_SCOPES.join(' '),
      state: 'state-123',
      code_challenge_method: 'S256',
      user_id: emu().user.id,
    });
  });

  it('escapes everything that came from the request', async () => {
    const state = '"><script>alert(1)</script>&';
    const html = await (await getAuthorize(emu(), authorizeQuery(emu(), { state }))).text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#38;');
    expect(formFields(html).state).toBe(state);
  });

  it.each([
    ['an unknown client_id', { client_id: 'nobody' }, 'this app is not known'],
    ['a missing client_id', { client_id: undefined }, 'no client_id'],
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/callback' }, 'not registered'],
    [
      'a redirect_uri that only starts like a registered one',
      { redirect_uri: `${REDIRECT_URI}/x` },
      'not registered',
    ],
    ['a missing redirect_uri', { redirect_uri: undefined }, 'no redirect_uri'],
  ])(
    'shows a 400 error page and does not redirect for %s (RFC 6749 §4.1.2.1)',
    async (_, overrides, words) => {
      const res = await getAuthorize(emu(), authorizeQuery(emu(), overrides));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain(words);
    },
  );

  it.each([
    ['an unknown scope', { scope: 'tweet.read tweet.delete' }, 'invalid_scope', 'state-123'],
    ['an empty scope', { scope: '  ' }, 'invalid_scope', 'state-123'],
    ['a missing scope', { scope: undefined }, 'invalid_request', 'state-123'],
    ['a missing state', { state: undefined }, 'invalid_request', null],
    ['a state over 500 characters', { state: 's'.repeat(501) }, 'invalid_request', 's'.repeat(501)],
    ['a missing code_challenge', { code_challenge: undefined }, 'invalid_request', 'state-123'],
    ['a missing code_challenge_method', { code_challenge_method: undefined }, 'invalid_request', 'state-123'],
    ['an unknown code_challenge_method', { code_challenge_method: 'S512' }, 'invalid_request', 'state-123'],
    ['a too short code_challenge', { code_challenge: 'abc' }, 'invalid_request', 'state-123'],
    ['a missing response_type', { response_type: undefined }, 'invalid_request', 'state-123'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type', 'state-123'],
  ])('redirects %s back to the client with error= and state', async (_, overrides, error, state) => {
    const res = await getAuthorize(emu(), authorizeQuery(emu(), overrides));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('accepts a state of exactly 500 characters', async () => {
    const res = await getAuthorize(emu(), authorizeQuery(emu(), { state: 'x'.repeat(500) }));
    expect(res.status).toBe(200);
  });

  it('accepts every scope X documents', async () => {
    const all =
      'tweet.read tweet.write tweet.moderate.write users.read users.email follows.read follows.write offline.access space.read mute.read mute.write like.read like.write list.read list.write block.read block.write bookmark.read bookmark.write dm.read dm.write media.write';
    const res = await getAuthorize(emu(), authorizeQuery(emu(), { scope: all }));
    expect(res.status).toBe(200);
  });
});

describe('POST /i/oauth2/authorize (the consent form)', () => {
  const emu = useEmulator();

  it('Approve redirects to redirect_uri with state and a single-use 30-second code', async () => {
    const before = emu().clock.now();
    const location = await consent(emu(), { state: 'a b&c' });
    expect(location.searchParams.get('state')).toBe('a b&c');
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9]{64}$/);
    expect([...location.searchParams.keys()]).toEqual(['state', 'code']);
    const record = emu().store.authCodes.get(code)!;
    expect(record).toMatchObject({
      clientId: emu().app.clientId,
      userId: emu().user.id,
      redirectUri: REDIRECT_URI,
      scopes: POSTING_SCOPES,
      codeChallengeMethod: 'S256',
      used: false,
    });
    expect(record.expiresAt - before).toBeGreaterThanOrEqual(30_000);
    expect(record.expiresAt - emu().clock.now()).toBeLessThanOrEqual(30_000);
  });

  it('issues the code for the user chosen in the select', async () => {
    const location = await consent(emu(), {}, 'approve', emu().otherUser.id);
    expect(emu().store.authCodes.get(location.searchParams.get('code')!)!.userId).toBe(emu().otherUser.id);
  });

  it('Deny redirects with error=access_denied and state, and issues no code', async () => {
    const location = await consent(emu(), { state: 'deny-me' }, 'deny');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('deny-me');
    expect(location.searchParams.get('code')).toBeNull();
    expect(emu().store.authCodes.size).toBe(0);
  });

  it('checks the posted fields again: a tampered redirect_uri gets the error page', async () => {
    const fields = Object.fromEntries(authorizeQuery(emu()));
    const res = await postConsent(emu(), {
      ...fields,
      redirect_uri: 'https://evil.example/cb',
      user_id: emu().user.id,
      decision: 'approve',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(emu().store.authCodes.size).toBe(0);
  });

  it('checks the posted fields again: a tampered scope redirects with invalid_scope', async () => {
    const fields = Object.fromEntries(authorizeQuery(emu()));
    const res = await postConsent(emu(), {
      ...fields,
      scope: 'god.mode',
      user_id: emu().user.id,
      decision: 'approve',
    });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_scope');
  });

  it('answers 400 for an unknown user or a missing decision', async () => {
    const fields = Object.fromEntries(authorizeQuery(emu()));
    expect((await postConsent(emu(), { ...fields, user_id: '1', decision: 'approve' })).status).toBe(400);
    expect((await postConsent(emu(), { ...fields, user_id: emu().user.id })).status).toBe(400);
    expect(emu().store.authCodes.size).toBe(0);
  });

  it('sends the browser to the exact redirect_uri used, for each registered one', async () => {
    for (const uri of emu().app.redirectUris) {
      const location = await consent(emu(), { redirect_uri: uri, code_challenge: pkcePair().challenge });
      expect(location.href.startsWith(`${uri}?state=`)).toBe(true);
    }
  });
});
