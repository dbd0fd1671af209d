import { describe, expect, it } from 'vitest';
import {
  attempts,
  idempotency,
  migrations,
  rateLimits,
  targets,
  uploadJournals,
} from '../../../src/service/store/sql.js';

const now = new Date('2026-06-01T12:00:00Z');

describe('the SQL module', () => {
  it('returns one-line statements with their values', () => {
    expect(uploadJournals.get('k')).toEqual({
      text: 'SELECT entry FROM xpost.upload_journals WHERE key = $1',
      values: ['k'],
    });
    expect(migrations.lock().text).toBe('SELECT pg_advisory_xact_lock($1)');
    for (const q of [
      targets.claim({ workerId: 'w', now, leaseUntil: now }),
      attempts.finish({ attemptId: 'a', workerId: 'w', outcome: 'sent', now, xPostId: '1' }),
    ])
      expect(q.text).not.toMatch(/\n|\s{2}/);
  });

  it.each([
    [
      'every due target',
      undefined,
      3,
      /WHERE \(\(state IN \('scheduled', 'queued'\) AND run_at <= \$2\) OR \(state IN \('uploading', 'publishing'\) AND locked_until <= \$2\)\) ORDER BY/,
    ],
    ['one target', 't1', 4, /AND id = \$4 ORDER BY/],
  ])('claims %s with FOR UPDATE SKIP LOCKED', (_name, targetId, count, pattern) => {
    const q = targets.claim({ workerId: 'w', now, leaseUntil: now, ...(targetId && { targetId }) });
    expect(q.text).toMatch(pattern);
    expect(q.text).toContain('LIMIT 1 FOR UPDATE SKIP LOCKED');
    expect(q.values).toHaveLength(count);
  });

  it('serialises JSON values itself, identically on both drivers', () => {
    expect(uploadJournals.upsert('k', { a: [1] }).values).toEqual(['k', '{"a":[1]}']);
    expect(
      idempotency.complete({ apiKeyId: 'a', key: 'k', ownerToken: 't', status: 201, body: { id: 'p' } })
        .values,
    ).toEqual(['a', 'k', 't', 201, '{"id":"p"}']);
  });

  it('sets an idempotency key to expire 24 h after it is taken', () => {
    const q = idempotency.insertOrGet({ apiKeyId: 'a', key: 'k', requestHash: 'h', ownerToken: 't', now });
    expect(q.values).toEqual(['a', 'k', 'h', 't', now, new Date('2026-06-02T12:00:00Z')]);
  });

  it('passes absent rate-limit fields as NULL', () => {
    expect(rateLimits.upsert({ subject: 's', endpoint: 'e', observedAt: now }).values).toEqual([
      's',
      'e',
      null,
      null,
      null,
      null,
      null,
      null,
      now,
    ]);
  });

  it('refuses to build a move the state machine does not allow', () => {
    expect(() => targets.update({ id: 't', version: 1, from: 'published', to: 'queued', now })).toThrow(
      /cannot go from published to queued/,
    );
  });
});
