import type { RateLimitInfo } from './types.js';

export interface RateLimitEntry {
  /** Whose limits: the auth provider's `subject()`, `app:<clientId>` at the token endpoint, or `anonymous`. */
  subject: string;
  /** The endpoint key, e.g. `POST /2/tweets`. */
  endpoint: string;
  info: RateLimitInfo;
  /** Epoch ms when the response carrying these headers arrived. */
  updatedAt: number;
}

/** What callers may read: the client's `rateLimits`. */
export interface RateLimitReader {
  /** The latest limits X stated for an endpoint; `subject` defaults to the client's user. */
  get(endpoint: string, subject?: string): RateLimitInfo | undefined;
  all(): RateLimitEntry[];
}

/**
 * The latest rate-limit headers per (subject, endpoint), kept in memory. Only the newest response
 * counts: X's headers are the truth, and the newest is the closest to it.
 */
export class RateLimitState implements RateLimitReader {
  readonly #entries = new Map<string, RateLimitEntry>();
  readonly #defaultSubject: () => string;

  constructor(defaultSubject: () => string = () => 'anonymous') {
    this.#defaultSubject = defaultSubject;
  }

  record(subject: string, endpoint: string, info: RateLimitInfo, at: number): void {
    const key = keyOf(subject, endpoint);
    const previous = this.#entries.get(key);
    // Concurrent responses can arrive out of order; never let an older one overwrite a newer one.
    if (previous && previous.updatedAt > at) return;
    this.#entries.set(key, { subject, endpoint, info, updatedAt: at });
  }

  get(endpoint: string, subject?: string): RateLimitInfo | undefined {
    return this.#entries.get(keyOf(subject ?? this.#defaultSubject(), endpoint))?.info;
  }

  all(): RateLimitEntry[] {
    return [...this.#entries.values()].map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.#entries.clear();
  }
}

function keyOf(subject: string, endpoint: string): string {
  return `${subject}\u0000${endpoint}`;
}
