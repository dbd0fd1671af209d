import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/service/auth/api-keys.js';
import { redactSecrets, redactUrl, serviceLoggerOptions } from '../../src/service/log-redaction.js';

const SECRETS = {
  apiKey: createApiKey().key,
  access: 'ACCESS-TOKEN-value-1',
  refresh: 'REFRESH-TOKEN-value-2',
  clientSecret: 'CLIENT-SECRET-value-3',
  oauth1Secret: 'OAUTH1-TOKEN-SECRET-4',
  consumerSecret: 'CONSUMER-SECRET-5',
  webhookSecret: 'WEBHOOK-SECRET-6',
  cookie: 'session=COOKIE-7',
  code: 'OAUTH-CODE-8',
  state: 'OAUTH-STATE-9',
  verifier: 'CODE-VERIFIER-10',
  password: 'DB-PASSWORD-11',
};

async function logsOf(run: (app: ReturnType<typeof Fastify>) => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const app = Fastify({
    logger: { ...serviceLoggerOptions('trace'), stream: { write: (line: string) => lines.push(line) } },
  });
  app.post('/api/accounts', async (request) => {
    // What a careless handler or error path might log: the whole request, and nested copies.
    request.log.info({ headers: request.headers, body: request.body }, 'account request');
    request.log.info({ req: { headers: request.headers, body: request.body } }, 'nested');
    request.log.info(request.body as object, 'body at the top level');
    return { ok: true };
  });
  app.get('/connect/x/callback', async () => ({ ok: true }));
  await run(app);
  await app.close();
  return lines.join('');
}

describe('log redaction', () => {
  it('prints none of the credentials in a logged request, its headers or its body', async () => {
    const output = await logsOf(async (app) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/accounts',
        headers: {
          authorization: `Bearer ${SECRETS.apiKey}`,
          cookie: SECRETS.cookie,
          'x-api-key': SECRETS.apiKey,
        },
        payload: {
          access_token: SECRETS.access,
          refresh_token: SECRETS.refresh,
          client_secret: SECRETS.clientSecret,
          oauth1: { access_token_secret: SECRETS.oauth1Secret, consumer_secret: SECRETS.consumerSecret },
          webhook: { url: 'https://example.com/hook', secret: SECRETS.webhookSecret },
          tokens: {
            accessToken: SECRETS.access,
            refreshToken: SECRETS.refresh,
            codeVerifier: SECRETS.verifier,
          },
          database: { password: SECRETS.password },
          api_key: SECRETS.apiKey,
          name: 'visible-account-name',
        },
      });
      expect(response.statusCode, response.body).toBe(200);
    });
    expect(output).toContain('visible-account-name');
    expect(output).toContain('https://example.com/hook');
    expect(output).toContain('[redacted]');
    for (const [name, secret] of Object.entries(SECRETS)) expect(output, name).not.toContain(secret);
  });

  it('masks OAuth codes and state in a logged URL, keeping the rest', async () => {
    const output = await logsOf(async (app) => {
      await app.inject({
        method: 'GET',
        url: `/connect/x/callback?state=${SECRETS.state}&code=${SECRETS.code}&lang=en`,
      });
    });
    expect(output).toContain('/connect/x/callback?state=[redacted]&code=[redacted]&lang=en');
    expect(output).not.toContain(SECRETS.code);
    expect(output).not.toContain(SECRETS.state);
  });

  it.each([
    ['/a', '/a'],
    ['/a?', '/a?'],
    ['/a?code=1', '/a?code=[redacted]'],
    ['/a?Code=1&x=2&API_KEY=3', '/a?Code=[redacted]&x=2&API_KEY=[redacted]'],
    ['/a?%63ode=1', '/a?%63ode=[redacted]'],
    ['/a?flag&token=t#frag', '/a?flag&token=[redacted]#frag'],
  ])('redactUrl(%s) is %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('redacts at any depth up to 6, in any case, in arrays, without changing the input', () => {
    const input = {
      a: { b: { c: { d: { e: { Refresh_Token: 'deep' } } } } },
      list: [{ AUTHORIZATION: 'Bearer x' }, 'plain'],
      token: null,
      keep: { name: 'n' },
    };
    const snapshot = structuredClone(input);
    const output = redactSecrets(input);
    expect(output).toEqual({
      a: { b: { c: { d: { e: { Refresh_Token: '[redacted]' } } } } },
      list: [{ AUTHORIZATION: '[redacted]' }, 'plain'],
      token: null,
      keep: { name: 'n' },
    });
    expect(input).toEqual(snapshot);
    expect(output.keep).toBe(input.keep);
    const clean = { a: [1, { b: 2 }] };
    expect(redactSecrets(clean)).toBe(clean);
  });

  it('redacts child-logger bindings and fields of logged errors', async () => {
    const output = await logsOf(async (app) => {
      const child = app.log.child({ access_token: SECRETS.access });
      child.info('bound');
      const error = Object.assign(new Error('X said no'), {
        request: { headers: { Authorization: `Bearer ${SECRETS.apiKey}` } },
        refreshToken: SECRETS.refresh,
      });
      app.log.error({ err: error }, 'failed');
    });
    expect(output).toContain('X said no');
    expect(output).toContain('bound');
    for (const secret of [SECRETS.access, SECRETS.apiKey, SECRETS.refresh])
      expect(output).not.toContain(secret);
  });
});
