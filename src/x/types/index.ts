export * from './tweets.js';
export * from './users.js';
