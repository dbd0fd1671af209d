import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { signWebhook } from '../../../src/service/webhooks/sign.js';
import { assertBuilt } from '../../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

it("receivers verify deliveries with `import { verifyWebhookSignature } from 'xpost/webhooks'` (the built package)", () => {
  assertBuilt();
  const secret = 'whsec_package-export-test';
  const body = JSON.stringify({ id: 'd1', type: 'post.published' });
  const now = Math.floor(Date.now() / 1000);
  const header = signWebhook(secret, body, now);
  const script = `
    const { verifyWebhookSignature } = await import('xpost/webhooks');
    const [secret, header, body] = process.argv.slice(1);
    const good = verifyWebhookSignature({ secret, header, body });
    const tampered = verifyWebhookSignature({ secret, header, body: body + ' ' });
    console.log(JSON.stringify([good.ok, tampered.ok, tampered.reason]));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, secret, header, body], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([true, false, 'mismatch']);
});
