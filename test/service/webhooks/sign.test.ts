import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../../src/service/webhooks/secret.js';
import { signWebhook, verifyWebhookSignature } from '../../../src/service/webhooks/sign.js';

const secret = 'whsec_test-secret';
const body = '{"id":"d1","type":"post.published","data":{"x_post_ids":["1"]}}';
const t = 1_750_000_000;

describe('signWebhook', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, computable by any receiver', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, t)).toBe(`t=${t},v1=${expected}`);
    // Bytes or text: the same signature.
    expect(signWebhook(secret, Buffer.from(body), t)).toBe(signWebhook(secret, body, t));
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signWebhook(secret, body, 1.5)).toThrow(/whole seconds/);
    expect(() => signWebhook(secret, body, Date.now())).toThrow(/looks like milliseconds/);
  });
});

describe('verifyWebhookSignature', () => {
  const header = signWebhook(secret, body, t);
  const verify = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
    verifyWebhookSignature({ secret, header, body, nowSeconds: t + 10, ...over });

  it('accepts the signature of the exact body within the tolerance', () => {
    expect(verify()).toEqual({ ok: true, timestamp: t });
    expect(verify({ nowSeconds: t - 300 })).toEqual({ ok: true, timestamp: t });
    expect(verify({ body: Buffer.from(body) }).ok).toBe(true);
  });

  it('detects a changed body, even by one character or re-serialised JSON', () => {
    expect(verify({ body: body.replace('"1"', '"2"') })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify({ body: JSON.stringify(JSON.parse(body), null, 1) })).toMatchObject({ reason: 'mismatch' });
  });

  it('detects a changed timestamp (the signature covers it)', () => {
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verify({ header: moved })).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('refuses a signature older than the tolerance (replay), or dated in the future', () => {
    expect(verify({ nowSeconds: t + 301 })).toMatchObject({
      ok: false,
      reason: 'too_old',
      message: expect.stringContaining('301 s old'),
    });
    expect(verify({ nowSeconds: t + 1000, toleranceSeconds: 2000 }).ok).toBe(true);
    expect(verify({ nowSeconds: t - 301 })).toMatchObject({ ok: false, reason: 'in_the_future' });
  });

  it('refuses another secret', () => {
    expect(verify({ secret: generateWebhookSecret() })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify({ secret: `${secret}x` })).toMatchObject({ reason: 'mismatch' });
  });

  it('accepts any of several v1 values (rotation), in any order, and ignores unknown schemes', () => {
    const other = signWebhook('whsec_old', body, t).split('v1=')[1];
    const mine = header.split('v1=')[1];
    expect(verify({ header: `t=${t},v1=${other},v1=${mine}` }).ok).toBe(true);
    expect(verify({ header: `v0=abc, v1=${mine}, t=${t}` }).ok).toBe(true);
    expect(verify({ header: `t=${t},v1=${other}` })).toMatchObject({ reason: 'mismatch' });
    // Node gives repeated headers as an array.
    expect(verify({ header: [`t=${t}`, `v1=${mine}`] }).ok).toBe(true);
  });

  it('says what is malformed', () => {
    for (const bad of [
      undefined,
      null,
      '',
      `t=${t}`,
      `v1=${'a'.repeat(64)}`,
      `t=abc,v1=${'a'.repeat(64)}`,
      `t=${t},v1=xyz`,
    ]) {
      expect(verify({ header: bad })).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });
});

describe('generateWebhookSecret', () => {
  it('is whsec_ and 32 random bytes in base64url', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});
