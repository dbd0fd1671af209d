import { createInterface } from 'node:readline';
import { parseCallback } from '../../x/index.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/**
 * `--no-browser`: the user opens the URL anywhere, X sends that browser to the redirect URI (which
 * may not load: that is fine), and they paste the address bar here. A bare code is taken too, for
 * copy-paste from a page that shows only the code; its state cannot be checked then.
 */
export async function readPastedCode(options: {
  input: NodeJS.ReadableStream;
  state: string;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<string> {
  const rl = createInterface({ input: options.input, terminal: false });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CliError(`nothing was pasted within ${Math.round(options.timeoutMs / 1000)} s`, {
              exitCode: EXIT.AUTH,
              code: 'login_timeout',
              hint: 'run `xpost login --no-browser` again',
            }),
          ),
        options.timeoutMs,
      );
      timer.unref();
      const onAbort = () => reject(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      rl.on('line', (text) => {
        if (text.trim() === '') return;
        clearTimeout(timer);
        resolve(text.trim());
      });
      rl.once('close', () => {
        clearTimeout(timer);
        reject(
          new CliError('standard input ended before a redirect URL or code was pasted', {
            exitCode: EXIT.AUTH,
            code: 'login_aborted',
            hint: 'paste the URL the browser was sent to (it contains ?state=…&code=…)',
          }),
        );
      });
    });
    return codeFromPaste(line, options.state);
  } finally {
    rl.close();
  }
}

/** A pasted redirect URL (or its query) is checked like a real callback; a bare code is taken as is. */
export function codeFromPaste(text: string, state: string): string {
  if (/[?&=]/.test(text) || /^https?:\/\//i.test(text))
    return parseCallback(text.replace(/^[^?]*\?/, '?'), state);
  if (!/^[A-Za-z0-9._~-]+$/.test(text))
    throw new CliError('that does not look like a redirect URL or an authorization code', {
      exitCode: EXIT.USAGE,
      hint: 'paste the whole address the browser was sent to',
    });
  return text;
}
