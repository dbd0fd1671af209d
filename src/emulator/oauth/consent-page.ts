import type { EmulatorUser } from '../state/types.js';
import type { AuthorizeRequest } from './authorize-request.js';
import { SCOPE_DESCRIPTIONS } from './scopes.js';

/**
 * The HTML the authorize endpoint shows: the consent page (what x.com/i/oauth2/authorize asks the
 * user) and the error page for requests that must not be redirected (RFC 6749 §4.1.2.1). Everything
 * that came from the request is escaped.
 */

/** Headers for every page: never cached, never framed (clickjacking, RFC 6749 §10.13). */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  // No `form-action`: browsers apply it to the redirect after the post, which leaves for the client.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
} as const;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderConsentPage(
  request: AuthorizeRequest,
  users: EmulatorUser[],
  selectedUserId: string | undefined,
): string {
  const appName = escapeHtml(request.app.name);
  const hidden = Object.entries(request.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const options = users
    .map((u) => {
      const selected = u.id === selectedUserId ? ' selected' : '';
      return `<option value="${escapeHtml(u.id)}"${selected}>${escapeHtml(u.name)} (@${escapeHtml(u.username)})</option>`;
    })
    .join('\n        ');
  const scopes = request.scopes
    .map(
      (s) =>
        `<li><strong>${escapeHtml(SCOPE_DESCRIPTIONS[s] ?? s)}</strong> <code>${escapeHtml(s)}</code></li>`,
    )
    .join('\n      ');
  return layout(
    `Authorize ${appName}`,
    `<h1>${appName} wants to access your X account</h1>
    <form method="post" action="/i/oauth2/authorize">
      ${hidden}
      <label for="user_id">Signed in as</label>
      <select id="user_id" name="user_id">
        ${options}
      </select>
      <h2>It will be able to</h2>
      <ul>
      ${scopes}
      </ul>
      <p>You will be sent back to <code>${escapeHtml(request.redirectUri)}</code>.</p>
      <button type="submit" name="decision" value="approve">Authorize app</button>
      <button type="submit" name="decision" value="deny">Cancel</button>
    </form>`,
  );
}

export function renderErrorPage(message: string): string {
  return layout(
    'Something went wrong',
    `<h1>You weren't able to give access to the App.</h1>
    <p>${escapeHtml(message)}</p>
    <p>Go back and try logging in again.</p>`,
  );
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · xpost X emulator</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; }
    button { font-size: 1rem; padding: .5rem 1.25rem; border-radius: 999px; margin-right: .5rem; }
    button[value="approve"] { background: #0f1419; color: #fff; border: 0; }
    code { color: #536471; }
  </style>
</head>
<body>
  <main>
    ${body}
  </main>
  <footer><small>xpost X API emulator: not x.com.</small></footer>
</body>
</html>
`;
}
