import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  type ConfigProblem,
  loadServiceConfig,
  ServiceConfigError,
} from '../../src/service/config.js';

const HOME = '/home/ada';
const KEY_HEX = 'a1'.repeat(32);
const KEY_B64 = Buffer.alloc(32, 7).toString('base64');
const DB = 'postgres://xpost:hunter2-db-password@db.internal:5432/xpost';

function load(env: Record<string, string>) {
  return loadServiceConfig(env, { homedir: HOME, cwd: '/srv' });
}

function problemsOf(env: Record<string, string>): readonly ConfigProblem[] {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceConfigError);
    return (error as ServiceConfigError).problems;
  }
  throw new Error('expected a ServiceConfigError');
}

function errorOf(env: Record<string, string>): ServiceConfigError {
  try {
    load(env);
  } catch (error) {
    return error as ServiceConfigError;
  }
  throw new Error('expected a ServiceConfigError');
}

describe('loadServiceConfig defaults', () => {
  it('runs embedded, in sandbox mode, on 127.0.0.1:3000 with nothing set', () => {
    const config = load({});
    expect(config).toMatchObject({
      home: '/home/ada/.config/xpost',
      dataDir: '/home/ada/.config/xpost/data',
      database: { kind: 'embedded', path: '/home/ada/.config/xpost/data/pglite' },
      port: 3000,
      host: '127.0.0.1',
      secretKey: undefined,
      previousSecretKeys: [],
      sandbox: true,
      x: { sandbox: true },
      publicUrl: 'http://localhost:3000',
      oauthCallbackUrl: 'http://localhost:3000/connect/x/callback',
      connectRedirect: undefined,
      mediaMaxBytes: 512 * 1024 * 1024,
      mediaRetentionMs: 7 * 24 * 60 * 60 * 1000,
      allowPrivateMediaUrls: false,
      workerConcurrency: 4,
      leaseMs: 300_000,
      maxAttempts: 5,
      retryBaseMs: 30_000,
      retryMaxMs: 3_600_000,
      logLevel: 'info',
      warnings: [],
    });
  });

  it('is frozen all the way down', () => {
    const config = load({ XPOST_CLIENT_ID: 'app' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.x)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
    expect(Object.isFrozen(config.warnings)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('treats an empty variable as unset', () => {
    expect(load({ PORT: '', XPOST_HOME: '', DATABASE_URL: ' ' }).port).toBe(3000);
    expect(load({ DATABASE_URL: '' }).database.kind).toBe('embedded');
  });

  it('derives the public URL from PORT', () => {
    expect(load({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('documents every variable in the doc comment table and CONFIG_VARIABLES alike', () => {
    const source = readFileSync(new URL('../../src/service/config.ts', import.meta.url), 'utf8');
    const tableNames = [...source.matchAll(/^ \* \| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(tableNames).toEqual(CONFIG_VARIABLES.map((v) => v.name));
    for (const v of CONFIG_VARIABLES) {
      expect(v.type && v.default && v.description, v.name).toBeTruthy();
    }
  });
});

describe('XPOST_HOME', () => {
  it('expands ~ and resolves a relative path', () => {
    expect(load({ XPOST_HOME: '~/xp' }).dataDir).toBe('/home/ada/xp/data');
    expect(load({ XPOST_HOME: 'state/xp' }).home).toBe('/srv/state/xp');
    expect(load({ XPOST_HOME: '/var/lib/xpost/' }).database).toEqual({
      kind: 'embedded',
      path: '/var/lib/xpost/data/pglite',
    });
  });
});

describe('DATABASE_URL', () => {
  it('accepts postgres:// and postgresql:// and hides the URL when printed', () => {
    const config = load({ DATABASE_URL: DB, XPOST_SECRET_KEY: KEY_HEX });
    expect(config.database.kind).toBe('server');
    if (config.database.kind !== 'server') throw new Error('unreachable');
    expect(config.database.url.reveal()).toBe(DB);
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(inspect(config, { depth: 10 })).not.toContain('hunter2');
    const other = load({ DATABASE_URL: 'postgresql://h/db', XPOST_SECRET_KEY: KEY_HEX });
    expect(other.database.kind).toBe('server');
  });

  it.each([['mysql://u:hunter2-db-password@h/db'], ['hunter2-db-password']])(
    'refuses %s without echoing it',
    (url) => {
      const error = errorOf({ DATABASE_URL: url, XPOST_SECRET_KEY: KEY_HEX });
      expect(error.problems.map((p) => p.variable)).toEqual(['DATABASE_URL']);
      expect(error.message).toMatch(
        /DATABASE_URL must be postgres:\/\/.*unset it to use the embedded database/,
      );
      expect(error.message).not.toContain('hunter2');
    },
  );

  it('requires XPOST_SECRET_KEY, saying why and how to make one', () => {
    const [problem, ...rest] = problemsOf({ DATABASE_URL: DB });
    expect(rest).toEqual([]);
    expect(problem!.variable).toBe('XPOST_SECRET_KEY');
    expect(problem!.message).toMatch(/required with DATABASE_URL.*same key.*openssl rand -base64 32/);
  });
});

describe('PORT and HOST', () => {
  it.each(['abc', '-1', '65536', '3000.5', '0x50'])('PORT=%s is refused by name', (value) => {
    const problems = problemsOf({ PORT: value });
    expect(problems.map((p) => p.variable)).toEqual(['PORT']);
    expect(problems[0]!.message).toContain('from 0 to 65535');
  });

  it('accepts 0 (any free port) and 65535', () => {
    expect(load({ PORT: '0' }).port).toBe(0);
    expect(load({ PORT: '65535' }).port).toBe(65535);
  });

  it('accepts addresses and names, and unwraps [::]', () => {
    expect(load({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(load({ HOST: '[::]' }).host).toBe('::');
    expect(load({ HOST: 'my-host.lan' }).host).toBe('my-host.lan');
  });

  it.each(['http://0.0.0.0', 'a host', '0.0.0.0/24'])(
    'HOST=%s is refused, pointing at XPOST_PUBLIC_URL',
    (value) => {
      const problems = problemsOf({ HOST: value });
      expect(problems.map((p) => p.variable)).toEqual(['HOST']);
      expect(problems[0]!.message).toContain('XPOST_PUBLIC_URL');
    },
  );
});

describe('XPOST_SECRET_KEY and XPOST_SECRET_KEY_OLD', () => {
  it('accepts hex, base64 and base64url, with surrounding whitespace', () => {
    expect(load({ XPOST_SECRET_KEY: KEY_HEX }).secretKey!.reveal()).toEqual(Buffer.alloc(32, 0xa1));
    expect(load({ XPOST_SECRET_KEY: `${KEY_B64}\n` }).secretKey!.reveal()).toEqual(Buffer.alloc(32, 7));
    const key = Buffer.alloc(32, 0xfb);
    expect(load({ XPOST_SECRET_KEY: key.toString('base64url') }).secretKey!.reveal()).toEqual(key);
  });

  it.each([
    ['too short', KEY_HEX.slice(2)],
    ['not hex or base64', 'correct horse battery staple'],
    ['16 bytes', Buffer.alloc(16).toString('base64')],
  ])('refuses a key that is %s without echoing it', (_, value) => {
    const error = errorOf({ XPOST_SECRET_KEY: value });
    expect(error.problems.map((p) => p.variable)).toEqual(['XPOST_SECRET_KEY']);
    expect(error.message).toContain('openssl rand -base64 32');
    expect(error.message).not.toContain(value);
  });

  it('reads several old keys and names the bad one by position', () => {
    const config = load({ XPOST_SECRET_KEY_OLD: `${KEY_HEX}, ${KEY_B64}` });
    expect(config.previousSecretKeys.map((k) => k.reveal()[0])).toEqual([0xa1, 7]);
    const problems = problemsOf({ XPOST_SECRET_KEY_OLD: `${KEY_HEX},nope` });
    expect(problems.map((p) => p.variable)).toEqual(['XPOST_SECRET_KEY_OLD']);
    expect(problems[0]!.message).toContain('key 2 of 2');
  });

  it('never prints key material', () => {
    const config = load({ XPOST_SECRET_KEY: KEY_HEX, XPOST_SECRET_KEY_OLD: KEY_B64 });
    const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })}`;
    expect(printed).not.toContain(KEY_HEX);
    expect(printed).not.toContain(KEY_B64);
    expect(printed).not.toMatch(/a1 a1 a1/);
    expect(printed).toContain('[redacted]');
  });
});

describe('X app: XPOST_CLIENT_ID, XPOST_CLIENT_SECRET, XPOST_API_BASE', () => {
  it('is in sandbox mode without a client id', () => {
    expect(load({}).sandbox).toBe(true);
  });

  it('talks to X with a client id, and to another API base when given', () => {
    const config = load({ XPOST_CLIENT_ID: 'cid', XPOST_CLIENT_SECRET: 'csecret-value' });
    expect(config.sandbox).toBe(false);
    expect(config.x).toMatchObject({ sandbox: false, clientId: 'cid', apiBase: 'https://api.x.com' });
    if (config.x.sandbox) throw new Error('unreachable');
    expect(config.x.clientSecret!.reveal()).toBe('csecret-value');
    expect(JSON.stringify(config)).not.toContain('csecret-value');
    const emulator = load({ XPOST_CLIENT_ID: 'cid', XPOST_API_BASE: 'http://127.0.0.1:4000/' });
    expect(emulator.x).toMatchObject({ apiBase: 'http://127.0.0.1:4000', clientSecret: undefined });
  });

  it('refuses a client secret without a client id', () => {
    const problems = problemsOf({ XPOST_CLIENT_SECRET: 's' });
    expect(problems.map((p) => p.variable)).toEqual(['XPOST_CLIENT_SECRET']);
    expect(problems[0]!.message).toContain('set XPOST_CLIENT_ID as well');
  });

  it.each(['api.x.com', 'ftp://api.x.com', 'https://api.x.com/?a=1'])(
    'XPOST_API_BASE=%s is refused',
    (value) => {
      expect(problemsOf({ XPOST_CLIENT_ID: 'cid', XPOST_API_BASE: value }).map((p) => p.variable)).toEqual([
        'XPOST_API_BASE',
      ]);
    },
  );

  it('warns that XPOST_API_BASE is ignored in sandbox mode', () => {
    expect(load({ XPOST_API_BASE: 'http://127.0.0.1:4000' }).warnings).toEqual([
      expect.stringContaining('XPOST_API_BASE is ignored in sandbox mode'),
    ]);
  });
});

describe('XPOST_PUBLIC_URL and XPOST_CONNECT_REDIRECT', () => {
  it('trims a trailing slash and keeps a path prefix', () => {
    const config = load({ XPOST_PUBLIC_URL: 'https://example.com/xpost/' });
    expect(config.publicUrl).toBe('https://example.com/xpost');
    expect(config.oauthCallbackUrl).toBe('https://example.com/xpost/connect/x/callback');
  });

  it.each([
    'example.com',
    'https://example.com/?next=1',
    'https://user:pw@example.com',
    'javascript:alert(1)',
  ])('XPOST_PUBLIC_URL=%s is refused', (value) => {
    expect(problemsOf({ XPOST_PUBLIC_URL: value }).map((p) => p.variable)).toEqual(['XPOST_PUBLIC_URL']);
  });

  it('warns about plain http on a non-local host, not on localhost', () => {
    expect(load({ XPOST_PUBLIC_URL: 'http://xpost.example.com' }).warnings[0]).toMatch(/plain http.*https/);
    expect(load({ XPOST_PUBLIC_URL: 'http://127.0.0.1:3000' }).warnings).toEqual([]);
  });

  it('resolves a redirect path against the public URL and keeps an absolute URL', () => {
    const base = { XPOST_PUBLIC_URL: 'https://example.com' };
    expect(load({ ...base, XPOST_CONNECT_REDIRECT: '/done' }).connectRedirect).toBe(
      'https://example.com/done',
    );
    expect(load({ ...base, XPOST_CONNECT_REDIRECT: 'https://app.example.com/x?ok=1' }).connectRedirect).toBe(
      'https://app.example.com/x?ok=1',
    );
  });

  it.each(['//evil.example.com', 'done', 'javascript:alert(1)'])(
    'XPOST_CONNECT_REDIRECT=%s is refused',
    (value) => {
      expect(problemsOf({ XPOST_CONNECT_REDIRECT: value }).map((p) => p.variable)).toEqual([
        'XPOST_CONNECT_REDIRECT',
      ]);
    },
  );
});

describe('media, workers and logs', () => {
  it.each([
    ['1048576', 1_048_576],
    ['200MB', 200_000_000],
    ['100 MiB', 100 * 1024 ** 2],
    ['1gib', 1024 ** 3],
    ['10kb', 10_000],
  ])('XPOST_MEDIA_MAX_BYTES=%s is %d bytes', (value, bytes) => {
    expect(load({ XPOST_MEDIA_MAX_BYTES: value }).mediaMaxBytes).toBe(bytes);
  });

  it.each(['0', '-5', '1.5GB', '12 parsecs', 'lots'])('XPOST_MEDIA_MAX_BYTES=%s is refused', (value) => {
    expect(problemsOf({ XPOST_MEDIA_MAX_BYTES: value }).map((p) => p.variable)).toEqual([
      'XPOST_MEDIA_MAX_BYTES',
    ]);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['YES', true],
    ['off', false],
    ['false', false],
  ])('XPOST_ALLOW_PRIVATE_MEDIA_URLS=%s is %s', (value, expected) => {
    expect(load({ XPOST_ALLOW_PRIVATE_MEDIA_URLS: value }).allowPrivateMediaUrls).toBe(expected);
  });

  it('refuses XPOST_ALLOW_PRIVATE_MEDIA_URLS=maybe', () => {
    expect(problemsOf({ XPOST_ALLOW_PRIVATE_MEDIA_URLS: 'maybe' }).map((p) => p.variable)).toEqual([
      'XPOST_ALLOW_PRIVATE_MEDIA_URLS',
    ]);
  });

  it.each([
    ['XPOST_LEASE_SECONDS', '4'],
    ['XPOST_LEASE_SECONDS', '3601'],
    ['XPOST_MAX_ATTEMPTS', '0'],
    ['XPOST_RETRY_BASE_SECONDS', 'soon'],
    ['XPOST_RETRY_MAX_SECONDS', '86401'],
    ['XPOST_MEDIA_RETENTION_DAYS', '-1'],
    ['XPOST_MEDIA_RETENTION_DAYS', '3651'],
    ['XPOST_MEDIA_RETENTION_DAYS', 'a week'],
  ])('%s=%s is refused, naming the variable and its range', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems.map((p) => p.variable)).toEqual([name]);
    expect(problems[0]!.message).toMatch(
      new RegExp(`^${name} must be a whole number from \\d+ to \\d+ \\(got "${value}"\\)$`),
    );
  });

  it('reads the worker tuning variables', () => {
    const config = load({
      XPOST_LEASE_SECONDS: '10',
      XPOST_MAX_ATTEMPTS: '20',
      XPOST_RETRY_BASE_SECONDS: '1',
      XPOST_RETRY_MAX_SECONDS: '8',
    });
    expect([config.leaseMs, config.maxAttempts, config.retryBaseMs, config.retryMaxMs]).toEqual([
      10_000, 20, 1_000, 8_000,
    ]);
  });

  it('refuses a longest backoff shorter than the first', () => {
    const problems = problemsOf({ XPOST_RETRY_BASE_SECONDS: '60', XPOST_RETRY_MAX_SECONDS: '10' });
    expect(problems).toEqual([
      {
        variable: 'XPOST_RETRY_MAX_SECONDS',
        message: 'XPOST_RETRY_MAX_SECONDS must be at least XPOST_RETRY_BASE_SECONDS, 60 (got "10")',
      },
    ]);
  });

  it.each([
    ['30', 30 * 86_400_000],
    ['0', 0],
    ['3650', 3650 * 86_400_000],
  ])('XPOST_MEDIA_RETENTION_DAYS=%s keeps media %d ms (0: forever)', (value, ms) => {
    expect(load({ XPOST_MEDIA_RETENTION_DAYS: value }).mediaRetentionMs).toBe(ms);
  });

  it.each(['0', '101', 'four', '2.5'])('XPOST_WORKER_CONCURRENCY=%s is refused', (value) => {
    expect(problemsOf({ XPOST_WORKER_CONCURRENCY: value }).map((p) => p.variable)).toEqual([
      'XPOST_WORKER_CONCURRENCY',
    ]);
  });

  it('accepts a worker concurrency and a log level in any case', () => {
    const config = load({ XPOST_WORKER_CONCURRENCY: '16', LOG_LEVEL: 'DEBUG' });
    expect(config.workerConcurrency).toBe(16);
    expect(config.logLevel).toBe('debug');
  });

  it('refuses LOG_LEVEL=verbose, listing the levels', () => {
    const problems = problemsOf({ LOG_LEVEL: 'verbose' });
    expect(problems.map((p) => p.variable)).toEqual(['LOG_LEVEL']);
    expect(problems[0]!.message).toContain('fatal, error, warn, info, debug, trace, silent');
  });
});

describe('all problems at once, and typos', () => {
  it('lists every bad variable in one error', () => {
    const error = errorOf({
      PORT: 'http',
      HOST: 'http://x',
      DATABASE_URL: 'mysql://x',
      XPOST_CLIENT_SECRET: 's',
      XPOST_PUBLIC_URL: 'nope',
      XPOST_MEDIA_MAX_BYTES: 'big',
      XPOST_ALLOW_PRIVATE_MEDIA_URLS: 'maybe',
      XPOST_WORKER_CONCURRENCY: '0',
      LOG_LEVEL: 'loud',
    });
    const names = error.problems.map((p) => p.variable);
    expect(names).toEqual([
      'PORT',
      'HOST',
      'DATABASE_URL',
      'XPOST_SECRET_KEY',
      'XPOST_CLIENT_SECRET',
      'XPOST_PUBLIC_URL',
      'XPOST_MEDIA_MAX_BYTES',
      'XPOST_ALLOW_PRIVATE_MEDIA_URLS',
      'XPOST_WORKER_CONCURRENCY',
      'LOG_LEVEL',
    ]);
    expect(error.message).toContain('10 problems');
    for (const name of names) expect(error.message).toContain(`  - ${name} `);
  });

  it('warns about unknown XPOST_* variables, suggesting the near one, and ignores the CLI ones', () => {
    const config = load({
      XPOST_CLIENTID: 'x',
      XPOST_FOO: '1',
      XPOST_ACCOUNT: 'me',
      XPOST_NO_BROWSER: '1',
      PATH: '/bin',
    });
    expect(config.warnings).toEqual([
      'XPOST_CLIENTID is not an xpost setting and is ignored (did you mean XPOST_CLIENT_ID?)',
      'XPOST_FOO is not an xpost setting and is ignored',
    ]);
    expect(config.sandbox).toBe(true);
  });
});
