/**
 * The small pages the browser lands on after connecting an account, when no redirect is configured
 * (`XPOST_CONNECT_REDIRECT` or `?redirect=`). Self-contained (no script, no external resource), every
 * value escaped, and never a token or an authorization code.
 */

/** No caching (the URL held a code), no referrer (it would carry that URL), nothing loaded from elsewhere. */
export const PAGE_HEADERS = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
});

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function connectedPage(account: { id: string; username: string; sandbox: boolean }): string {
  const sandbox = account.sandbox
    ? '<p class="note">This is a <strong>sandbox</strong> account: its posts go to the in-process emulator, not to X.</p>'
    : '';
  return page(
    'Account connected',
    `<h1>Connected @${escapeHtml(account.username)}</h1>
<p>xpost can now post as <strong>@${escapeHtml(account.username)}</strong>. You can close this window.</p>
${sandbox}<p class="id">Account id: <code>${escapeHtml(account.id)}</code></p>`,
  );
}

export function connectErrorPage(error: { code: string; message: string }): string {
  return page(
    'Account not connected',
    `<h1>The account was not connected</h1>
<p>${escapeHtml(error.message)}</p>
<p class="id">Error: <code>${escapeHtml(error.code)}</code></p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · xpost</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #0f1419; }
h1 { font-size: 1.5rem; }
.note { background: #fff8e1; padding: .5rem .75rem; border-radius: .25rem; }
.id { color: #536471; font-size: .875rem; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
