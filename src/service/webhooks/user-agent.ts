import { packageVersion } from '../../package-version.js';

/** `xpost-webhooks/<package version>`, the user-agent of every delivery. */
export function webhookUserAgent(): string {
  return `xpost-webhooks/${packageVersion()}`;
}
