import { describe, expect, it } from 'vitest';
import { staticBearer } from '../../../src/x/auth/static-bearer.js';
import { XClient } from '../../../src/x/client.js';
import {
  XApiError,
  XAuthError,
  XForbiddenError,
  XRateLimitError,
  XUnknownOutcomeError,
} from '../../../src/x/errors/index.js';
import type { XClientOptions } from '../../../src/x/options.js';
import { useEmulator } from '../../helpers/emulator.js';
import { failure, ME_REQUEST as me, postRequest as post } from '../../helpers/x-requests.js';
import { recordingClock } from '../plugins/recording-clock.js';

const emu = useEmulator();

function client(options: XClientOptions = {}) {
  return new XClient({
    apiBase: emu().url,
    auth: staticBearer(emu().user.accessToken),
    clock: recordingClock(emu),
    ...options,
  });
}

describe('errors produced from real emulator responses', () => {
  it('an expired access token → XAuthError (401)', async () => {
    const x = client();
    emu().clock.advance(7_200_001);
    const error = await failure(x.request(me));
    expect(error).toBeInstanceOf(XAuthError);
    expect(error).toMatchObject({ status: 401, title: 'Unauthorized', endpoint: 'GET /2/users/me' });
  });

  it('a token without tweet.write → XForbiddenError missing-scope', async () => {
    const tokens = emu().issueToken({ scopes: ['tweet.read', 'users.read'] });
    const x = client({ auth: staticBearer(tokens.access_token) });
    const error = await failure(x.request(post('no scope')));
    expect(error).toBeInstanceOf(XForbiddenError);
    expect(error).toMatchObject({ reason: 'missing-scope', status: 403 });
    expect((error as Error).message).toMatch(/scope/);
  });

  it('the same text twice → XForbiddenError duplicate-content', async () => {
    const x = client();
    await x.request(post('say it once'));
    const error = await failure(x.request(post('say it once')));
    expect(error).toBeInstanceOf(XForbiddenError);
    expect(error).toMatchObject({
      reason: 'duplicate-content',
      detail: 'You are not allowed to create a Tweet with duplicate content.',
    });
  });

  it('an app outside a Project → XForbiddenError client-not-enrolled', async () => {
    const response = await fetch(`${emu().url}/__emulator/apps/${emu().app.clientId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrolled: false }),
    });
    expect(response.ok).toBe(true);
    const error = await failure(client().request(me));
    expect(error).toMatchObject({ reason: 'client-not-enrolled', status: 403 });
    await fetch(`${emu().url}/__emulator/apps/${emu().app.clientId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrolled: true }),
    });
  });

  it('a spent limit with onRateLimit throw → XRateLimitError (429) with the reset', async () => {
    emu().rateLimits.set('POST /2/tweets', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    const x = client({ onRateLimit: 'throw', rateLimitPreflight: false });
    await x.request(post('one'));
    const error = (await failure(x.request(post('two')))) as XRateLimitError;
    expect(error).toBeInstanceOf(XRateLimitError);
    expect(error).toMatchObject({ status: 429, limit: 'window' });
    expect(error.resetAt).toBeGreaterThan(emu().clock.now());
    expect(error.rateLimit?.window?.remaining).toBe(0);
  });

  it('a 503 fault → XApiError once retries are spent', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'status', status: 503 });
    const error = await failure(client({ maxRetries: 0 }).request(me));
    expect(error).toBeInstanceOf(XApiError);
    expect(error).toMatchObject({ status: 503, title: 'Service Unavailable' });
  });

  it('a 402 fault → XForbiddenError credits-depleted', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 402 });
    const error = await failure(client().request(post('no credits')));
    expect(error).toBeInstanceOf(XForbiddenError);
    expect(error).toMatchObject({ reason: 'credits-depleted', status: 402, title: 'CreditsDepleted' });
  });

  it('an unknown path → XApiError with the v1.1 body', async () => {
    const error = await failure(client().request({ ...me, path: '/2/nope', endpoint: 'GET /2/nope' }));
    expect(error).toBeInstanceOf(XApiError);
    expect(error).toMatchObject({ status: 404, errors: [{ code: 34 }] });
  });

  it('a commit_then_drop on POST /2/tweets → XUnknownOutcomeError, and the post exists', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'commit_then_drop', times: 1 });
    const error = await failure(client().request(post('did it post?')));
    expect(error).toBeInstanceOf(XUnknownOutcomeError);
    expect((error as XUnknownOutcomeError).hint).toMatch(/findRecent/);
    expect([...emu().store.posts.values()].map((p) => p.text)).toContain('did it post?');
    expect(emu().requestCounts()['POST /2/tweets']).toBe(1);
  });

  it('a 200 with partial errors returns them beside the data instead of throwing', async () => {
    const response = await client().request<{ errors?: unknown[] }>({
      ...me,
      path: '/2/tweets/1999999999999999999',
      endpoint: 'GET /2/tweets/:id',
    });
    expect(response.status).toBe(200);
    expect(response.errors?.[0]).toMatchObject({ title: 'Not Found Error', resource_type: 'tweet' });
    expect(response.data.errors).toBe(response.errors);
  });
});
