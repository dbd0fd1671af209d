import { describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../../src/emulator/index.js';
import { MemoryTokenStore } from '../../../src/x/auth/memory-token-store.js';
import { oauth2UserAuth } from '../../../src/x/auth/oauth2-user-auth.js';
import type { TokenStore } from '../../../src/x/auth/token-store.js';
import { XClient } from '../../../src/x/client.js';
import { XAuthError, XForbiddenError } from '../../../src/x/errors/index.js';
import { refreshToken } from '../../../src/x/oauth/token-client.js';
import type { TokenSet } from '../../../src/x/oauth/token-set.js';
import { buildUrl } from '../../../src/x/request/build-url.js';
import { createTransport } from '../../../src/x/request/transport.js';
import type { RequestHandler, XRequest } from '../../../src/x/request/types.js';
import { useEmulator } from '../../helpers/emulator.js';

const emu = useEmulator();
const KEY = 'default';
const SKEW = 60_000;

const ME: XRequest = {
  method: 'GET',
  path: '/2/users/me',
  endpoint: 'GET /2/users/me',
  auth: { kind: 'user' },
  idempotent: true,
};

/** The fixture user's pair as a login would have stored it, expiring when the emulator says. */
function fixturePair(e: EmulatorHandle): TokenSet {
  return {
    accessToken: e.user.accessToken,
    refreshToken: e.user.refreshToken,
    expiresAt: e.store.accessTokens.get(e.user.accessToken)!.expiresAt,
    scopes: e.user.scopes,
    tokenType: 'bearer',
  };
}

async function seeded(): Promise<MemoryTokenStore> {
  const store = new MemoryTokenStore();
  await store.set(KEY, fixturePair(emu()));
  return store;
}

function auth(store: TokenStore, extra: { send?: RequestHandler } = {}) {
  const e = emu();
  return oauth2UserAuth({
    store,
    key: KEY,
    clientId: e.app.clientId,
    clientSecret: e.app.clientSecret!,
    send: extra.send ?? createTransport({ apiBase: e.url }),
    clock: e.clock,
  });
}

const tokenRequests = () => emu().requests('POST /2/oauth2/token');
const bearer = (headers: Record<string, string>) => headers.authorization!.replace(/^Bearer /, '');
const at = (store: TokenStore) => store.get(KEY).then((t) => t!.accessToken);

describe('oauth2UserAuth: refresh ahead of expiry', () => {
  it('uses the stored token while it has more than refreshSkewMs to live, then refreshes once', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    const provider = auth(store);
    const url = buildUrl(e.url, ME);

    e.clock.set(fixturePair(e).expiresAt - SKEW - 1);
    expect(bearer(await provider.authorize(ME, url))).toBe(e.user.accessToken);
    expect(tokenRequests()).toHaveLength(0);

    e.clock.advance(1);
    const fresh = bearer(await provider.authorize(ME, url));
    expect(fresh).not.toBe(e.user.accessToken);
    expect(tokenRequests()).toHaveLength(1);
    expect(e.store.refreshTokens.get(e.user.refreshToken)!.status).toBe('used');
    // Persisted, and the stored pair is the one in use.
    expect(await at(store)).toBe(fresh);
    expect((await store.get(KEY))!.expiresAt).toBe(e.clock.now() + 7_200_000);
    // And no second refresh while the new token is young.
    await provider.authorize(ME, url);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('saves the rotated pair before the request that needs it is sent', async () => {
    const e = emu();
    e.clock.setScale(0);
    const events: string[] = [];
    const inner = await seeded();
    const store: TokenStore = {
      get: (k) => inner.get(k),
      delete: (k) => inner.delete(k),
      withLock: (k, fn) => inner.withLock(k, fn),
      set: async (k, t) => {
        events.push(`set ${t.accessToken === e.user.accessToken ? 'old' : 'new'}`);
        await inner.set(k, t);
      },
    };
    const fetchSpy: typeof fetch = (input, init) => {
      events.push(`fetch ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const client = new XClient({
      auth: auth(store),
      apiBase: e.url,
      fetch: fetchSpy,
      clock: { now: () => e.clock.now(), sleep: async () => {} },
    });
    e.clock.advance(7_200_000);
    await client.request(ME);
    expect(events).toEqual(['set new', 'fetch /2/users/me']);
  });

  it('keeps a pair it could not save and saves it first next time, without spending another refresh token', async () => {
    const e = emu();
    e.clock.setScale(0);
    const inner = await seeded();
    let failNextSet = true;
    const store: TokenStore = {
      get: (k) => inner.get(k),
      delete: (k) => inner.delete(k),
      withLock: (k, fn) => inner.withLock(k, fn),
      set: async (k, t) => {
        if (failNextSet) {
          failNextSet = false;
          throw new Error('disk full');
        }
        await inner.set(k, t);
      },
    };
    const provider = auth(store);
    e.clock.advance(7_200_000);
    await expect(provider.authorize(ME, buildUrl(e.url, ME))).rejects.toThrow('disk full');
    expect(tokenRequests()).toHaveLength(1);
    expect(await at(inner)).toBe(e.user.accessToken); // not saved, so not used

    const header = await provider.authorize(ME, buildUrl(e.url, ME));
    expect(tokenRequests()).toHaveLength(1);
    expect(bearer(header)).toBe(await at(inner));
    expect(bearer(header)).not.toBe(e.user.accessToken);
  });
});

describe('oauth2UserAuth: 401 and 403 through XClient', () => {
  it('refreshes once on 401 and sends the request again', async () => {
    const e = emu();
    const store = await seeded();
    const client = new XClient({ auth: auth(store), apiBase: e.url, maxRetries: 0 });
    // Revoked at X while our clock still thinks it is fine.
    e.store.accessTokens.get(e.user.accessToken)!.revoked = true;
    const response = await client.request<{ data: { id: string } }>(ME);
    expect(response.data.data.id).toBe(e.user.id);
    expect(tokenRequests()).toHaveLength(1);
    expect(await at(store)).not.toBe(e.user.accessToken);
    expect(e.requests('GET /2/users/me').map((r) => r.status)).toEqual([401, 200]);
  });

  it('never refreshes on 403', async () => {
    const e = emu();
    const store = await seeded();
    const client = new XClient({ auth: auth(store), apiBase: e.url, maxRetries: 0 });
    e.faults.add({ endpoint: 'GET /2/users/me', kind: 'status', status: 403, times: 1 });
    await expect(client.request(ME)).rejects.toBeInstanceOf(XForbiddenError);
    expect(tokenRequests()).toHaveLength(0);
    expect(await at(store)).toBe(e.user.accessToken);
  });

  it('does not refresh again when the 401 came with a token this process already replaced', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    const provider = auth(store);
    const url = buildUrl(e.url, ME);
    const oldHeader = await provider.authorize(ME, url);
    await provider.refresh();
    expect(tokenRequests()).toHaveLength(1);
    const sent = { ...ME, headers: oldHeader };
    expect(
      await provider.onUnauthorized!(sent, {
        status: 401,
        headers: new Headers(),
        body: null,
        request: sent,
      }),
    ).toBe(true);
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe('oauth2UserAuth: one refresh at a time', () => {
  it('10 concurrent authorize() calls on an expired token make exactly one token request', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    const provider = auth(store);
    e.clock.advance(7_200_000);
    const headers = await Promise.all(
      Array.from({ length: 10 }, () => provider.authorize(ME, buildUrl(e.url, ME))),
    );
    expect(tokenRequests()).toHaveLength(1);
    expect(new Set(headers.map(bearer)).size).toBe(1);
    expect(bearer(headers[0]!)).toBe(await at(store));
  });

  it('two providers on one store in one process share the flight', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    const [a, b] = [auth(store), auth(store)];
    e.clock.advance(7_200_000);
    const [ha, hb] = await Promise.all([
      a.authorize(ME, buildUrl(e.url, ME)),
      b.authorize(ME, buildUrl(e.url, ME)),
    ]);
    expect(tokenRequests()).toHaveLength(1);
    expect(bearer(ha)).toBe(bearer(hb));
  });

  it('inside the lock it reads the store first: a pair rotated by another process is used without calling X', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    const provider = auth(store);
    await provider.authorize(ME, buildUrl(e.url, ME)); // caches the fixture pair
    // "Another process" rotates and saves.
    e.clock.advance(7_200_000 - SKEW);
    const other = await refreshToken({
      send: createTransport({ apiBase: e.url }),
      clientId: e.app.clientId,
      clientSecret: e.app.clientSecret!,
      refreshToken: e.user.refreshToken,
      clock: e.clock,
    });
    await store.set(KEY, other);
    expect(tokenRequests()).toHaveLength(1);

    expect(bearer(await provider.authorize(ME, buildUrl(e.url, ME)))).toBe(other.accessToken);
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe('oauth2UserAuth: a refused refresh token', () => {
  it('reads the store again and uses the pair another process saved in between', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    const transport = createTransport({ apiBase: e.url });
    let other: TokenSet | undefined;
    // Between our read and our call, a process that ignores the lock rotates the same token and saves.
    const send: RequestHandler = async (request) => {
      if (request.form?.grant_type === 'refresh_token' && !other) {
        other = await refreshToken({
          send: transport,
          clientId: e.app.clientId,
          clientSecret: e.app.clientSecret!,
          refreshToken: request.form.refresh_token!,
          clock: e.clock,
        });
        await store.set(KEY, other);
      }
      return transport(request);
    };
    const provider = auth(store, { send });
    e.clock.advance(7_200_000);
    const header = await provider.authorize(ME, buildUrl(e.url, ME));
    expect(bearer(header)).toBe(other!.accessToken);
    expect(tokenRequests().map((r) => r.status)).toEqual([200, 400]);
    expect(await at(store)).toBe(other!.accessToken);
  });

  it('tells the user to log in again when the store holds the same refused pair', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    e.store.refreshTokens.get(e.user.refreshToken)!.status = 'revoked';
    e.clock.advance(7_200_000);
    const error = await auth(store)
      .authorize(ME, buildUrl(e.url, ME))
      .catch((x: unknown) => x);
    expect(error).toBeInstanceOf(XAuthError);
    expect(error).toMatchObject({ code: 'invalid_refresh_token' });
    expect((error as Error).message).toMatch(/xpost login/);
    expect(JSON.stringify(error)).not.toContain(e.user.refreshToken);
    expect(await at(store)).toBe(e.user.accessToken); // the store is left as it was
  });
});

describe('oauth2UserAuth: setup and edges', () => {
  it('says to log in when the store has nothing for the key', async () => {
    const provider = auth(new MemoryTokenStore());
    await expect(provider.authorize(ME, buildUrl(emu().url, ME))).rejects.toMatchObject({
      name: 'XAuthError',
      code: 'login_required',
    });
  });

  it('says to log in when the token expired and there is no refresh token', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = new MemoryTokenStore({ [KEY]: { ...fixturePair(e), refreshToken: undefined } as TokenSet });
    e.clock.advance(7_200_000);
    await expect(auth(store).authorize(ME, buildUrl(e.url, ME))).rejects.toThrow(/offline\.access/);
  });

  it('sends token requests through a client when given one', async () => {
    const e = emu();
    e.clock.setScale(0);
    const store = await seeded();
    const provider = oauth2UserAuth({
      store,
      key: KEY,
      clientId: e.app.clientId,
      clientSecret: e.app.clientSecret!,
      client: new XClient({ apiBase: e.url }),
      clock: e.clock,
    });
    e.clock.advance(7_200_000);
    expect(bearer(await provider.authorize(ME, buildUrl(e.url, ME)))).not.toBe(e.user.accessToken);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('names its subject after the key, or the subject option', () => {
    const store = new MemoryTokenStore();
    expect(auth(store).subject()).toBe(KEY);
    expect(
      oauth2UserAuth({
        store,
        key: 'k',
        clientId: 'c',
        subject: '123',
        send: async () => ({}) as never,
      }).subject(),
    ).toBe('123');
  });

  it('tells the fix for missing options', () => {
    expect(() => oauth2UserAuth({ store: new MemoryTokenStore(), key: KEY, clientId: '' })).toThrow(
      /clientId/,
    );
    expect(() => oauth2UserAuth({ store: new MemoryTokenStore(), key: '', clientId: 'c' })).toThrow(
      /printable/,
    );
  });
});
