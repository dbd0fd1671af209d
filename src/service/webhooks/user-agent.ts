import { readFileSync } from 'node:fs';

let version: string | undefined;

/** `xpost-webhooks/<package version>`, the user-agent of every delivery. */
export function webhookUserAgent(): string {
  if (version === undefined) {
    try {
      // src/service/webhooks/ and dist/service/webhooks/ are both three levels below package.json.
      const raw = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
      version = (JSON.parse(raw) as { version?: string }).version ?? '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return `xpost-webhooks/${version}`;
}
