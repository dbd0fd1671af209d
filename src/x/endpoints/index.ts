export { DEFAULT_FIND_RECENT_PAGES } from './find-recent.js';
export { sameSentText } from './match-post-text.js';
export { toCreatePostBody } from './post-body.js';
export { PostsApi, type PostsApiOptions } from './posts.js';
export { MAX_SENDS_PER_ITEM, RECONCILE_CLOCK_MARGIN_MS } from './thread.js';
export { UsersApi } from './users.js';
export { DEFAULT_MAX_WEIGHTED_LENGTH, type ValidatePostOptions, validatePost } from './validate-post.js';
