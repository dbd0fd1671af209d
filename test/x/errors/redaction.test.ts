import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { staticBearer } from '../../../src/x/auth/static-bearer.js';
import { XClient } from '../../../src/x/client.js';
import { XError } from '../../../src/x/errors/index.js';
import type { XRequest } from '../../../src/x/request/types.js';
import { useEmulator } from '../../helpers/emulator.js';
import { recordingClock } from '../plugins/recording-clock.js';

const emu = useEmulator();

function everyRendering(error: unknown): string {
  const e = error as Error;
  return [
    JSON.stringify(error),
    String(error),
    inspect(error, { depth: 20, showHidden: true }),
    e.stack,
  ].join('\n');
}

const post: XRequest = {
  method: 'POST',
  path: '/2/tweets',
  endpoint: 'POST /2/tweets',
  auth: { kind: 'user' },
  idempotent: false,
  json: { text: 'redact me' },
};

describe('errors never carry a credential', () => {
  it.each([
    ['401', (token: string) => ({ token: `${token}-wrong`, fault: undefined })],
    ['403 duplicate', (token: string) => ({ token, fault: undefined, twice: true })],
    ['unknown outcome after a reset', (token: string) => ({ token, fault: 'reset' as const })],
    ['unknown outcome after a 503', (token: string) => ({ token, fault: 'status' as const })],
  ])('%s', async (_name, make) => {
    const secret = emu().user.accessToken;
    const { token, fault, twice } = make(secret) as {
      token: string;
      fault?: 'reset' | 'status';
      twice?: boolean;
    };
    if (fault) emu().faults.add({ endpoint: 'POST /2/tweets', kind: fault, status: 503 });
    const x = new XClient({ apiBase: emu().url, auth: staticBearer(token), clock: recordingClock(emu) });
    if (twice) await x.request(post);
    const error = await x.request(post).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XError);
    const text = everyRendering(error);
    expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
  });

  it('a token-endpoint failure shows neither the refresh token nor the client secret', async () => {
    const { clientId, clientSecret } = emu().app;
    const refreshToken = emu().user.refreshToken;
    emu().faults.add({ endpoint: 'POST /2/oauth2/token', kind: 'status', status: 500 });
    const x = new XClient({ apiBase: emu().url, clock: recordingClock(emu), maxRetries: 0 });
    const error = await x
      .request({
        method: 'POST',
        path: '/2/oauth2/token',
        endpoint: 'POST /2/oauth2/token',
        auth: { kind: 'client', clientId, clientSecret: clientSecret ?? undefined },
        idempotent: true,
        form: { grant_type: 'refresh_token', refresh_token: refreshToken },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XError);
    const text = everyRendering(error);
    expect(text).not.toContain(refreshToken);
    expect(text).not.toContain(clientSecret!);
    expect(text).not.toContain(Buffer.from(`${clientId}:${clientSecret}`).toString('base64'));
  });
});
