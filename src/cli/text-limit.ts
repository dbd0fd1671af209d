import { type ParsedPostText, parsePostText } from '../x/index.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** A post's text measured against the account's limit, as `count`, `post` and `thread` report it. */
export interface TextMeasure {
  weightedLength: number;
  limit: number;
  valid: boolean;
  /** Negative when over. */
  remaining: number;
  parsed: ParsedPostText;
}

export function measureText(text: string, limit: number): TextMeasure {
  const parsed = parsePostText(text, { maxWeightedLength: limit });
  return {
    weightedLength: parsed.weightedLength,
    limit,
    valid: parsed.valid,
    remaining: limit - parsed.weightedLength,
    parsed,
  };
}

/** Why a text cannot be posted, and what to do: `the post is 312 weighted characters, 32 over …`. */
export interface TextProblem {
  message: string;
  hint?: string;
}

/** The problem with `text` as `what` ("the post", "item 3"), or undefined when it may be posted. */
export function textProblem(measure: TextMeasure, text: string, what = 'the post'): TextProblem | undefined {
  if (measure.valid) return undefined;
  if (measure.weightedLength > measure.limit) {
    return {
      message: `${what} is ${plural(measure.weightedLength, 'weighted character')}, ${-measure.remaining} over the limit of ${measure.limit}`,
      hint: 'shorten it, or post it as a thread with `xpost thread --split FILE`',
    };
  }
  if (text.trim() === '')
    return { message: `${what} is empty`, hint: 'give the text as an argument or on stdin' };
  // parsePostText's other refusal (REFERENCE §7).
  return {
    message: `${what} holds U+FFFE, U+FEFF or U+FFFF, which X refuses`,
    hint: 'remove those characters',
  };
}

/** Thrown before anything is sent: exit code VALIDATION. */
export function textError(problem: TextProblem): CliError {
  return new CliError(problem.message, {
    exitCode: EXIT.VALIDATION,
    ...(problem.hint ? { hint: problem.hint } : {}),
  });
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
