import { invalidRequest, type ValidationMessage } from '../problems.js';
import { ID_PATTERN } from './schemas.js';

/**
 * Query (and path) parameters checked the way X words it, e.g.
 * "The `max_results` query parameter value [200] is not between 5 and 100",
 * "The `tweet.fields` query parameter value [foo] is not one of [attachments,…]" and
 * "The query parameter [foo] is not one of [id,max_results,…]" (observed in public issue threads).
 * All problems are collected and answered as one 400 invalid-request (REFERENCE §5.1).
 */

export type RawQuery = Record<string, string | string[] | undefined>;

const ID_REGEX = new RegExp(ID_PATTERN);

export class QueryReader {
  readonly #raw: RawQuery;
  readonly #errors: ValidationMessage[] = [];

  /** `accepted` lists every parameter the endpoint takes, path parameters first, as X lists them. */
  constructor(raw: RawQuery, accepted: readonly string[]) {
    this.#raw = raw;
    for (const [name, value] of Object.entries(raw)) {
      if (!accepted.includes(name)) {
        this.#fail(name, value, `The query parameter [${name}] is not one of [${accepted.join(',')}]`);
      } else if (Array.isArray(value)) {
        this.#fail(name, value, `Duplicate parameters are not allowed: the \`${name}\` query parameter`);
      }
    }
  }

  string(name: string): string | undefined {
    const value = this.#raw[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** A comma-separated list whose items must come from `allowed`; duplicates are dropped. */
  list<T extends string>(name: string, allowed: readonly T[]): T[] {
    const value = this.string(name);
    if (value === undefined) return [];
    const items = value.split(',');
    const bad = items.filter((item) => !allowed.includes(item as T));
    if (bad.length > 0) {
      this.#fail(
        name,
        value,
        `The \`${name}\` query parameter value [${bad.join(',')}] is not one of [${allowed.join(',')}]`,
      );
      return [];
    }
    return [...new Set(items as T[])];
  }

  int(name: string, min: number, max: number): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isNaN(n) || n < min || n > max) {
      this.#fail(
        name,
        value,
        `The \`${name}\` query parameter value [${value}] is not between ${min} and ${max}`,
      );
      return undefined;
    }
    return n;
  }

  /** A snowflake id; also used for path ids, which X reports as query parameters. */
  id(name: string, value = this.string(name)): string | undefined {
    if (value === undefined) return undefined;
    if (!ID_REGEX.test(value)) {
      this.#fail(
        name,
        value,
        `The \`${name}\` query parameter value [${value}] does not match ${ID_PATTERN}`,
      );
      return undefined;
    }
    return value;
  }

  /** An RFC 3339 timestamp, as epoch milliseconds. */
  time(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)
      ? Date.parse(value)
      : Number.NaN;
    if (Number.isNaN(ms)) {
      this.#fail(
        name,
        value,
        `The \`${name}\` query parameter value [${value}] is not a valid RFC 3339 date-time`,
      );
      return undefined;
    }
    return ms;
  }

  /** Record a problem found by the caller (e.g. a pagination token that does not decode). */
  invalid(name: string, message: string): void {
    this.#fail(name, this.#raw[name], message);
  }

  /** Throw the 400 when anything was wrong. */
  done(): void {
    if (this.#errors.length > 0) throw invalidRequest(this.#errors);
  }

  #fail(name: string, value: string | string[] | undefined, message: string): void {
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    this.#errors.push({ parameters: { [name]: values }, message });
  }
}
