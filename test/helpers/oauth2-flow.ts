import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { DEFAULT_REDIRECT_URIS } from '../../src/emulator/state/fixtures.js';
import { type ApiResponse, api } from './emulator.js';

/** Helpers for the OAuth 2.0 tests: drive the consent page and the token endpoint over HTTP. */

export const REDIRECT_URI = DEFAULT_REDIRECT_URIS[0]!;
export const POSTING_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'offline.access', 'media.write'];

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeParams {
  response_type?: string;
  client_id?: string;
  redirect_uri?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

/** A valid authorize query for the confidential fixture app, with `overrides` applied (undefined drops a key). */
export function authorizeQuery(emu: EmulatorHandle, overrides: AuthorizeParams = {}): URLSearchParams {
  const base: AuthorizeParams = {
    response_type: 'code',
    client_id: emu.app.clientId,
    redirect_uri: REDIRECT_URI,
    scope: POSTING_SCOPES.join(' '),
    state: 'state-123',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  };
  const merged = { ...base, ...overrides };
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) query.set(k, v);
  return query;
}

export function getAuthorize(emu: EmulatorHandle, query: URLSearchParams): Promise<Response> {
  return fetch(`${emu.url}/i/oauth2/authorize?${query}`, { redirect: 'manual' });
}

/** The consent form's fields as a browser would post them: hidden inputs and the preselected user. */
export function formFields(html: string): Record<string, string> {
  const decodeHtml = (s: string) =>
    s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decodeHtml(m[1]!)] = decodeHtml(m[2]!);
  }
  const selected = /<option value="([^"]*)" selected>/.exec(html);
  if (selected) fields.user_id = decodeHtml(selected[1]!);
  return fields;
}

export function postConsent(emu: EmulatorHandle, fields: Record<string, string>): Promise<Response> {
  return fetch(`${emu.url}/i/oauth2/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Load the consent page, press Approve (or Deny), and return where the browser is sent. */
export async function consent(
  emu: EmulatorHandle,
  overrides: AuthorizeParams = {},
  decision: 'approve' | 'deny' = 'approve',
  userId?: string,
): Promise<URL> {
  const page = await getAuthorize(emu, authorizeQuery(emu, overrides));
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const fields = formFields(await page.text());
  if (userId) fields.user_id = userId;
  const answer = await postConsent(emu, { ...fields, decision });
  if (answer.status !== 302) throw new Error(`consent post answered ${answer.status}`);
  return new URL(answer.headers.get('location')!);
}

/** Run the consent page to a fresh code for `clientId` (confidential fixture app by default). */
export async function authorizationCode(
  emu: EmulatorHandle,
  options: { clientId?: string; scopes?: string[]; method?: 'S256' | 'plain'; userId?: string } = {},
): Promise<{ code: string; verifier: string }> {
  const pair = pkcePair();
  const method = options.method ?? 'S256';
  const location = await consent(
    emu,
    {
      client_id: options.clientId ?? emu.app.clientId,
      scope: (options.scopes ?? POSTING_SCOPES).join(' '),
      code_challenge: method === 'S256' ? pair.challenge : pair.verifier,
      code_challenge_method: method,
    },
    'approve',
    options.userId,
  );
  return { code: location.searchParams.get('code')!, verifier: pair.verifier };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** POST a form to the token or revoke endpoint, with Basic auth of the fixture app unless told otherwise. */
export function tokenRequest(
  emu: EmulatorHandle,
  path: '/2/oauth2/token' | '/2/oauth2/revoke' | '/oauth2/token',
  form: Record<string, string>,
  authorization: string | null = basic(emu.app.clientId, emu.app.clientSecret!),
): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (authorization !== null) headers.authorization = authorization;
  return api(emu, 'POST', path, { token: null, headers, body: new URLSearchParams(form).toString() });
}

/** Exchange a code, as the confidential fixture app (Basic auth) unless `authorization` says otherwise. */
export function exchangeCode(
  emu: EmulatorHandle,
  code: string,
  verifier: string,
  extra: Record<string, string> = {},
  authorization?: string | null,
): Promise<ApiResponse> {
  const form = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  };
  return tokenRequest(emu, '/2/oauth2/token', { ...form, ...extra }, authorization);
}
