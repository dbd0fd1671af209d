import { describe, expect, it } from 'vitest';
import { XAuthError } from '../../../src/x/errors/index.js';
import { parseCallback } from '../../../src/x/oauth/authorization-callback.js';

const CALLBACK = 'http://127.0.0.1:8976/callback';

function caught(fn: () => unknown): XAuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(XAuthError);
    return error as XAuthError;
  }
  throw new Error('expected an XAuthError');
}

describe('parseCallback', () => {
  it('returns the code when the state matches', () => {
    expect(parseCallback(`${CALLBACK}?state=abc&code=the-code`, 'abc')).toBe('the-code');
    expect(parseCallback(new URL(`${CALLBACK}?state=abc&code=c2`), 'abc')).toBe('c2');
    expect(parseCallback('?state=abc&code=c3', 'abc')).toBe('c3');
  });

  it('refuses a callback whose state differs, naming CSRF and saying to start again', () => {
    const error = caught(() => parseCallback(`${CALLBACK}?state=other&code=c`, 'abc'));
    expect(error.code).toBe('state_mismatch');
    expect(error.message).toMatch(/forgery/);
    expect(error.message).toMatch(/Start the login again/);
    expect(caught(() => parseCallback(`${CALLBACK}?code=c`, 'abc')).code).toBe('state_mismatch');
  });

  it('checks the state before an error, so a forged denial is reported as a mismatch', () => {
    expect(caught(() => parseCallback(`${CALLBACK}?error=access_denied&state=x`, 'abc')).code).toBe(
      'state_mismatch',
    );
  });

  it('turns error=access_denied into a clear error', () => {
    const error = caught(() => parseCallback(`${CALLBACK}?error=access_denied&state=abc`, 'abc'));
    expect(error.code).toBe('access_denied');
    expect(error.message).toMatch(/denied/);
  });

  it("keeps X's words for other errors", () => {
    const error = caught(() =>
      parseCallback(`${CALLBACK}?error=invalid_scope&error_description=bad%20scope&state=abc`, 'abc'),
    );
    expect(error.code).toBe('invalid_scope');
    expect(error.detail).toBe('bad scope');
  });

  it('refuses a callback without a code', () => {
    expect(caught(() => parseCallback(`${CALLBACK}?state=abc`, 'abc')).code).toBe('missing_code');
  });
});
