import type { EmulatorHandle } from '../../../src/emulator/index.js';
import { staticBearer } from '../../../src/x/auth/static-bearer.js';
import { XClient } from '../../../src/x/client.js';
import { PostsApi, type PostsApiOptions } from '../../../src/x/endpoints/posts.js';
import { UsersApi } from '../../../src/x/endpoints/users.js';

/** A client for the emulator's ready-made user (or `token`'s), with the endpoint classes over it. */
export function endpoints(
  emu: EmulatorHandle,
  options: Omit<PostsApiOptions, 'users'> & { token?: string } = {},
) {
  const client = new XClient({ auth: staticBearer(options.token ?? emu.user.accessToken), apiBase: emu.url });
  const users = new UsersApi(client);
  return { client, users, posts: new PostsApi(client, { ...options, users }) };
}

/** The author's live posts in the emulator, oldest first. */
export function storedPosts(emu: EmulatorHandle) {
  return [...emu.store.posts.values()]
    .filter((post) => post.deletedAt === undefined)
    .sort((a, b) => (a.id.length !== b.id.length ? a.id.length - b.id.length : a.id < b.id ? -1 : 1));
}
