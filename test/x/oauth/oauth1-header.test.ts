import { describe, expect, it } from 'vitest';
import { oauth1AuthorizationHeader, parseOAuthHeader } from '../../../src/x/oauth/oauth1-signature.js';

/** The docs' worked example (REFERENCE §2), through the one function the SDK signs with. */
const VECTOR = {
  method: 'POST',
  url: 'https://api.x.com/1.1/statuses/update.json?include_entities=true',
  form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
  timestamp: 1318622958,
};

describe('oauth1AuthorizationHeader', () => {
  it('signs the docs test vector (query and form parameters) to its known signature', () => {
    const header = oauth1AuthorizationHeader(VECTOR);
    const params = parseOAuthHeader(header)!;
    expect(params.get('oauth_signature')).toBe('Ls93hJiZbQ3akF3HF3x1Bz8/zU4=');
    expect(Object.fromEntries(params)).toMatchObject({
      oauth_consumer_key: VECTOR.consumerKey,
      oauth_nonce: VECTOR.nonce,
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '1318622958',
      oauth_token: VECTOR.token,
      oauth_version: '1.0',
    });
    // Only oauth_* parameters go in the header; the form stays in the body.
    expect([...params.keys()].every((k) => k.startsWith('oauth_'))).toBe(true);
  });

  it('changes the signature when the form is left out: form parameters are signed', () => {
    const { form: _form, ...withoutForm } = VECTOR;
    expect(parseOAuthHeader(oauth1AuthorizationHeader(withoutForm))!.get('oauth_signature')).not.toBe(
      'Ls93hJiZbQ3akF3HF3x1Bz8/zU4=',
    );
  });
});
