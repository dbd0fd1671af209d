import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box.js';

/**
 * A webhook's signing secret: `whsec_` and 32 random bytes in base64url (43 characters). It is shown
 * once, in the answer to `POST /api/webhooks`, and stored only sealed by the secret box, bound to its
 * row by the AAD `webhook:<id>:secret` (a sealed secret copied to another webhook does not open).
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

export const webhookSecretAad = (webhookId: string): string => `webhook:${webhookId}:secret`;

export function sealWebhookSecret(box: SecretBox, webhookId: string, secret: string): Buffer {
  return box.seal(secret, webhookSecretAad(webhookId));
}

/** Opens a webhook row's `secret` column (a Buffer from node-postgres, a Uint8Array from PGlite). */
export function openWebhookSecret(box: SecretBox, row: { id: string; secret: Uint8Array }): string {
  return box.openText(Buffer.from(row.secret), webhookSecretAad(row.id));
}
