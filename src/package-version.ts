import { readFileSync } from 'node:fs';

let version: string | undefined;

/**
 * xpost's version from package.json, one level up from both `src/` and `dist/` (this file's place in
 * either): the SDK's user-agent, the OpenAPI document and the webhook user-agent all say it.
 */
export function packageVersion(): string {
  if (version === undefined) {
    try {
      const raw = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
      version = (JSON.parse(raw) as { version?: string }).version ?? '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}
