import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';

describe('emulator basics', () => {
  const emu = useEmulator();

  it('binds 127.0.0.1 on a free port and answers unknown paths with X 404 body', async () => {
    expect(emu().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await api(emu(), 'GET', '/2/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
  });
});
