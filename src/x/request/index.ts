export { buildUrl } from './build-url.js';
export { describeNetworkFailure, type NetworkFailure } from './network-failure.js';
export { parseBody, serializeBody } from './serialize-body.js';
export { createTransport, DEFAULT_TIMEOUT_MS, type TransportOptions } from './transport.js';
export type * from './types.js';
