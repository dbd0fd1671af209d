import { readFileSync } from 'node:fs';

/** The package version, read from package.json next to dist/ (two levels up from this file). */
export function readPackageVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}
