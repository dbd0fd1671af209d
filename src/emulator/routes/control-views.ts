import type { EmulatorContext } from '../context.js';
import type { EmulatorUser, MediaRecord } from '../state/types.js';

/** JSON views of the store for `/__emulator/state`: Maps flattened, secrets of fixtures included on purpose. */
export function describeState(ctx: EmulatorContext) {
  const { store } = ctx;
  return {
    clock: ctx.clock.snapshot(),
    apps: [...store.apps.values()],
    users: [...store.users.values()].map(serializeUser),
    posts: [...store.posts.values()],
    media: [...store.media.values()].map(serializeMedia),
    tokens: {
      access: [...store.accessTokens.values()],
      refresh: [...store.refreshTokens.values()],
      authCodes: [...store.authCodes.values()],
      oauth1: [...store.oauth1Tokens.values()],
    },
    requestCounts: Object.fromEntries(store.requestCounts),
    faults: ctx.faults.list(),
    rateLimits: ctx.limiter.table,
  };
}

export function serializeUser(user: EmulatorUser) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    premium: user.premium,
    createdAt: user.createdAt,
    description: user.description,
    protected: user.protected,
  };
}

export function serializeMedia(media: MediaRecord) {
  const { segments, ...rest } = media;
  return {
    ...rest,
    segments: [...segments.entries()].sort(([a], [b]) => a - b).map(([index, s]) => ({ index, ...s })),
    receivedBytes: [...segments.values()].reduce((sum, s) => sum + s.size, 0),
  };
}
