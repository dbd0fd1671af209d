import { inspect } from 'node:util';

const CENSOR = '[redacted]';

/**
 * A secret value that will not print itself. The service's config holds keys, the X app's client
 * secret and a database URL with a password; whoever logs the config, serialises it or drops it into
 * an error message gets `[redacted]`, and the code that needs the value says so with `reveal()`.
 */
export class Redacted<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
    Object.freeze(this);
  }

  reveal(): T {
    return this.#value;
  }

  toJSON(): string {
    return CENSOR;
  }

  toString(): string {
    return CENSOR;
  }

  [inspect.custom](): string {
    return `Redacted(${CENSOR})`;
  }
}
