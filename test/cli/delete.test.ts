import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Home, json, makeHome } from '../fixtures/cli/posting.js';
import { useEmulator } from '../helpers/emulator.js';

const emulator = useEmulator();
let home: Home;

beforeEach(async () => {
  home = await makeHome(emulator());
});

afterEach(async () => {
  await home.remove();
});

describe('xpost delete', () => {
  it('deletes a post, and says so', async () => {
    const { id } = json<{ id: string }>(await home.run(['post', 'soon gone', '--json']));
    const run = await home.run(['delete', id]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`deleted ${id}`);
    expect(emulator().store.posts.get(id)?.deletedAt).toBeDefined();
  });

  it('answers { id, deleted } with --json, and deleting twice is not an error', async () => {
    const { id } = json<{ id: string }>(await home.run(['post', 'twice gone', '--json']));
    expect(json(await home.run(['delete', id, '--json']))).toEqual({ id, deleted: true });
    const again = await home.run(['delete', id, '--json']);
    expect(again.code).toBe(0);
    expect(json(again)).toEqual({ id, deleted: false });
  });

  it('refuses what is not a post id as a usage error, without calling X', async () => {
    const run = await home.run(['delete', 'https://x.com/i/status/123']);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/not a post id/);
    expect(emulator().requestCounts()['DELETE /2/tweets/:id']).toBeUndefined();
  });

  it("exits FORBIDDEN for someone else's post", async () => {
    const other = emulator().otherUser;
    const res = await fetch(`${emulator().url}/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'not yours' }),
    });
    const { data } = (await res.json()) as { data: { id: string } };
    const run = await home.run(['delete', data.id]);
    expect(run.code).toBe(EXIT.FORBIDDEN);
    expect(emulator().store.posts.get(data.id)?.deletedAt).toBeUndefined();
  });
});
