import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsDir } from '../../../src/service/db/migrate.js';
import {
  ATTEMPT_OUTCOMES,
  AUTH_KINDS,
  CLAIMABLE_STATES,
  canTransition,
  checkIn,
  DELIVERY_STATES,
  derivePostState,
  HELD_STATES,
  MEDIA_STATES,
  POST_STATES,
  POST_TARGET_STATES,
  type PostState,
  type PostTargetState,
  TERMINAL_STATES,
  TRANSITIONS,
  textArray,
  WEBHOOK_EVENTS,
} from '../../../src/service/states.js';
import { describeDatabases } from '../../helpers/database.js';
import { insertTarget } from './fixtures.js';

const migration = () => readFile(join(migrationsDir(), '0001_init.sql'), 'utf8');

/** (constraint name, column, constant): every state column of the schema and the list it must hold. */
const CHECKS: [string, string, readonly string[]][] = [
  ['post_targets_state_check', 'state', POST_TARGET_STATES],
  ['posts_state_check', 'state', POST_STATES],
  ['publish_attempts_outcome_check', 'outcome', ATTEMPT_OUTCOMES],
  ['accounts_auth_kind_check', 'auth_kind', AUTH_KINDS],
  ['media_state_check', 'state', MEDIA_STATES],
  ['webhook_deliveries_status_check', 'status', DELIVERY_STATES],
  ['webhook_deliveries_event_check', 'event', WEBHOOK_EVENTS],
];

describe('states', () => {
  it('are frozen, and the target states are the ones the issue lists', () => {
    expect(POST_TARGET_STATES).toEqual([
      'draft',
      'scheduled',
      'queued',
      'uploading',
      'publishing',
      'published',
      'failed',
      'cancelled',
    ]);
    for (const constant of [
      POST_TARGET_STATES,
      TERMINAL_STATES,
      POST_STATES,
      TRANSITIONS,
      TRANSITIONS.queued,
    ])
      expect(Object.isFrozen(constant)).toBe(true);
  });

  it('lets nothing out of a final state, and knows every state', () => {
    for (const from of TERMINAL_STATES)
      for (const to of POST_TARGET_STATES) expect(canTransition(from, to)).toBe(false);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...POST_TARGET_STATES].sort());
    for (const [from, tos] of Object.entries(TRANSITIONS))
      for (const to of tos) {
        expect(POST_TARGET_STATES).toContain(to);
        expect(to).not.toBe(from);
      }
  });

  it.each([
    ['draft', 'queued', true],
    ['scheduled', 'queued', true],
    ['queued', 'publishing', true],
    ['uploading', 'publishing', true],
    ['publishing', 'published', true],
    ['publishing', 'queued', true],
    ['publishing', 'uploading', true],
    ['publishing', 'cancelled', false], // a POST may be in flight
    ['draft', 'published', false],
    ['queued', 'published', false],
    ['failed', 'queued', false],
  ] as [PostTargetState, PostTargetState, boolean][])('%s → %s: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('claims only from states that may move to the held ones', () => {
    for (const from of CLAIMABLE_STATES)
      for (const to of HELD_STATES) expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    [[], 'draft'],
    [['draft', 'draft'], 'draft'],
    [['draft', 'cancelled'], 'draft'],
    [['scheduled', 'draft'], 'scheduled'],
    [['scheduled', 'published'], 'scheduled'],
    [['scheduled', 'queued'], 'processing'],
    [['publishing', 'failed'], 'processing'],
    [['published', 'published'], 'published'],
    [['published', 'cancelled'], 'published'],
    [['published', 'failed'], 'partially_published'],
    [['failed', 'failed'], 'failed'],
    [['failed', 'cancelled'], 'failed'],
    [['cancelled', 'cancelled'], 'cancelled'],
  ] as [PostTargetState[], PostState][])('a post with targets %j is %s', (targets, state) => {
    expect(derivePostState(targets)).toBe(state);
  });
});

describe('the migration and the constants', () => {
  it.each(CHECKS)('%s is built from the constant, verbatim', async (name, column, values) => {
    expect(await migration()).toContain(`CONSTRAINT ${name} ${checkIn(column, values)}`);
  });

  it('checks webhook events against the constant', async () => {
    expect(await migration()).toContain(`events <@ ${textArray(WEBHOOK_EVENTS)}`);
  });

  it('has no other state list the test does not know about', async () => {
    const inLists = (await migration()).match(/CONSTRAINT \w+ CHECK \(\w+ IN \(/g) ?? [];
    expect(inLists.length).toBe(CHECKS.length);
  });

  it('indexes due and held targets by the claim constants', async () => {
    const text = await migration();
    expect(text).toContain(`WHERE state IN (${CLAIMABLE_STATES.map((s) => `'${s}'`).join(', ')})`);
    expect(text).toContain(`WHERE state IN (${HELD_STATES.map((s) => `'${s}'`).join(', ')})`);
  });
});

describeDatabases('state constraints in the database', ({ db }) => {
  it.each(CHECKS)('%s lists exactly the constant', async (name, _column, values) => {
    const { rows } = await db().query<{ def: string }>({
      text: 'SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1',
      values: [name],
    });
    expect(rows).toHaveLength(1);
    const listed = [...rows[0]!.def.matchAll(/'([^']*)'::text/g)].map((m) => m[1]);
    expect(listed).toEqual([...values]);
  });

  it('accepts every target state and rejects any other', async () => {
    for (const state of POST_TARGET_STATES) {
      const runAt = new Date();
      const target = await insertTarget(db(), { state: state === 'published' ? 'scheduled' : state, runAt });
      expect(target.state).toBe(state === 'published' ? 'scheduled' : state);
    }
    await expect(insertTarget(db(), { state: 'sent' as PostTargetState })).rejects.toThrow(
      /post_targets_state_check/,
    );
    await expect(db().query({ text: "UPDATE xpost.post_targets SET state = 'done'" })).rejects.toThrow(
      /post_targets_state_check/,
    );
  });

  it('rejects a published target without its X post ids, and ids out of step with next_item', async () => {
    const target = await insertTarget(db());
    await expect(
      db().query({
        text: "UPDATE xpost.post_targets SET state = 'published', published_at = now() WHERE id = $1",
        values: [target.id],
      }),
    ).rejects.toThrow(/post_targets_published_at/);
    await expect(
      db().query({
        text: "UPDATE xpost.post_targets SET x_post_ids = '{1}' WHERE id = $1",
        values: [target.id],
      }),
    ).rejects.toThrow(/post_targets_items/);
  });

  it('rejects unknown webhook events, delivery states and post states', async () => {
    await expect(
      db().query({
        text: "INSERT INTO xpost.webhooks (url, secret, events) VALUES ('https://h', '\\x00', ARRAY['post.deleted'])",
      }),
    ).rejects.toThrow(/webhooks_events_check/);
    await expect(
      db().query({
        text: "INSERT INTO xpost.posts (body, state, request) VALUES ('x', 'sent', '{}')",
      }),
    ).rejects.toThrow(/posts_state_check/);
  });
});
