import { readFile } from 'node:fs/promises';
import { usageError } from './errors.js';

/** Where `TEXT | -` and `FILE | -` arguments read stdin from; injectable for tests of the pure parts. */
export interface InputStdin {
  isTTY?: boolean;
  [Symbol.asyncIterator](): AsyncIterator<string | Buffer>;
}

/**
 * The text of a `[TEXT | -]` argument: the argument itself, or stdin when it is `-`, or when it is left
 * out and stdin is not a terminal (`echo hi | xpost post`). `undefined` when there is none: no
 * argument and stdin is a terminal (the caller decides whether that is an error).
 *
 * One trailing line break is what `echo` and editors add, not part of the post: trailing line breaks
 * are dropped from stdin (spaces and everything before them are kept as written).
 */
export async function readTextArgument(
  arg: string | undefined,
  stdin: InputStdin = process.stdin,
): Promise<string | undefined> {
  if (arg === '-' || (arg === undefined && !stdin.isTTY)) return stripTrailingNewlines(await readAll(stdin));
  return arg;
}

/**
 * The contents of a `[FILE | -]` argument: the file, or stdin when it is `-`, or when it is left out
 * and stdin is not a terminal. `what` names the command's input in the usage error.
 */
export async function readFileArgument(
  arg: string | undefined,
  what: string,
  stdin: InputStdin = process.stdin,
): Promise<string> {
  if (arg === '-' || (arg === undefined && !stdin.isTTY)) return readAll(stdin);
  if (arg === undefined) {
    throw usageError(
      `no ${what} given`,
      `pass a FILE, or - to read stdin (e.g. \`xpost thread thread.txt\`)`,
    );
  }
  try {
    return await readFile(arg, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(
      `cannot read ${arg}${code ? ` (${code})` : ''}`,
      code === 'ENOENT' ? 'check the path, or pass - to read stdin' : 'check the path and its permissions',
    );
  }
}

async function readAll(stdin: InputStdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function stripTrailingNewlines(text: string): string {
  return text.replace(/(?:\r?\n)+$/, '');
}
