import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { EmulatorHandle } from '../../../src/emulator/index.js';
import type { Db } from '../../../src/service/db/types.js';
import { createJobQueue, type JobQueue } from '../../../src/service/queue/queue.js';
import { registerPostRoutes } from '../../../src/service/routes/posts.js';
import type { AccountRow } from '../../../src/service/store/sql.js';
import { buildTestServiceApp, connectEmulatorUser, type TestServiceApp } from '../../helpers/service-app.js';

export interface PostsApp {
  /** A real pg-boss queue on the test database, started once per suite. */
  queue: JobQueue;
  /** The post routes beside the app's core, built fresh for each test. */
  t: TestServiceApp;
  /** The emulator's ready user, connected. */
  alice: AccountRow;
  /** The emulator's other user, connected unless `bob: false`. */
  bob: AccountRow | undefined;
}

/**
 * The set-up the post route suites share: a queue for the suite, and before each test the app with
 * the post routes and the emulator's users connected as accounts. `set` receives them each test.
 */
export function usePostsApp(
  db: () => Db,
  emulator: () => EmulatorHandle,
  set: (app: PostsApp) => void,
  options: { bob?: boolean } = {},
): void {
  let queue: JobQueue;
  let t: TestServiceApp | undefined;
  beforeAll(async () => {
    queue = createJobQueue(db(), { onError: () => {} });
    await queue.start();
  }, 60_000);
  afterAll(async () => {
    await queue.stop({ timeoutMs: 5_000 });
  }, 60_000);
  beforeEach(async () => {
    t = await buildTestServiceApp({ db: db(), emulator: emulator(), queue, register: registerPostRoutes });
    const alice = await connectEmulatorUser(db(), t.deps.box, emulator());
    const bob =
      options.bob === false
        ? undefined
        : await connectEmulatorUser(db(), t.deps.box, emulator(), { user: emulator().otherUser });
    set({ queue, t, alice, bob });
  });
  afterEach(async () => {
    await t?.app.close();
  });
}
