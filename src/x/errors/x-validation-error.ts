import { XError } from './x-error.js';

/** One problem found before sending: which field, which rule, and what to do about it. */
export interface ValidationIssue {
  /** The caller's name for the field: `text`, `mediaIds[2]`, `poll.options[0]`, `items[3].text`. */
  field: string;
  /** A stable name for the rule, for code that reacts to it (`max-weighted-length`, `exclusive`, …). */
  rule: ValidationRule;
  message: string;
}

export type ValidationRule =
  | 'required'
  | 'type'
  | 'unknown-field'
  | 'max-weighted-length'
  | 'invalid-characters'
  | 'min-items'
  | 'max-items'
  | 'id-format'
  | 'length'
  | 'range'
  | 'enum'
  | 'exclusive'
  | 'depends-on'
  | 'thread-reply';

/**
 * Params that X would refuse, caught before any request is sent. Every problem is listed at once, so
 * one round of fixes is enough; `issues` has them as data.
 */
export class XValidationError extends XError {
  override name = 'XValidationError';
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], init: { endpoint?: string } = {}) {
    const list = issues.map((issue) => issue.message).join('; ');
    super(`Invalid ${init.endpoint ?? 'request'}: ${list}`, { endpoint: init.endpoint });
    this.issues = issues;
  }
}
