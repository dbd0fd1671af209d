import type { EmulatorHandle } from '../../../src/emulator/index.js';
import { createTransport } from '../../../src/x/request/transport.js';
import { formFields, postConsent } from '../../helpers/oauth2-flow.js';

/** Play the browser: open the authorize URL on the emulator's consent page and press a button. */
export async function browserLogin(
  emu: EmulatorHandle,
  authorizeUrl: URL,
  decision: 'approve' | 'deny' = 'approve',
): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${await page.text()}`);
  const answer = await postConsent(emu, { ...formFields(await page.text()), decision });
  if (answer.status !== 302) throw new Error(`consent post answered ${answer.status}`);
  return new URL(answer.headers.get('location')!);
}

export function authorizeBase(emu: EmulatorHandle): string {
  return `${emu.url}/i/oauth2/authorize`;
}

/** A bare transport to the emulator: the token client authenticates the app itself. */
export function emulatorTransport(emu: EmulatorHandle) {
  return createTransport({ apiBase: emu.url });
}
