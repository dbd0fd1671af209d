import { describe, expect, it } from 'vitest';
import { webhookUrlProblems } from '../../../src/service/webhooks/url.js';

const code = (url: string) => webhookUrlProblems(url)[0]?.code;

describe('webhookUrlProblems', () => {
  it('accepts https anywhere and http to hosts that cannot be on the internet', () => {
    for (const url of [
      'https://example.com/hooks/xpost',
      'https://example.com:8443/a?b=c',
      'https://10.1.2.3/hook',
      'http://localhost:3000/hook',
      'http://app.localhost/hook',
      'http://127.0.0.1:9999/hook',
      'http://[::1]:8080/hook',
      'http://10.0.0.7/hook',
      'http://192.168.1.2/hook',
      'http://172.16.5.4/hook',
      'http://[fd00::1]/hook',
      'http://receiver:8080/hook',
    ]) {
      expect(webhookUrlProblems(url), url).toEqual([]);
    }
  });

  it('requires https for a public host, and says how to fix it', () => {
    const [problem] = webhookUrlProblems('http://example.com/hooks');
    expect(problem).toMatchObject({ field: 'url', code: 'https_required' });
    expect(problem?.message).toContain('https://example.com/hooks');
    expect(code('http://8.8.8.8/hook')).toBe('https_required');
  });

  it('refuses what is not an http(s) URL, credentials, fragments and addresses that are never a receiver', () => {
    expect(code('example.com/hook')).toBe('invalid_url');
    expect(code('')).toBe('invalid_url');
    expect(code('ftp://example.com/hook')).toBe('unsupported_scheme');
    expect(code('https://user:pass@example.com/hook')).toBe('credentials_in_url');
    expect(code('https://example.com/hook#x')).toBe('fragment_in_url');
    expect(code('http://169.254.169.254/latest/meta-data')).toBe('forbidden_address');
    expect(code('https://[fe80::1]/hook')).toBe('forbidden_address');
    expect(code('https://0.0.0.0/hook')).toBe('forbidden_address');
    expect(code('https://224.0.0.1/hook')).toBe('forbidden_address');
    expect(code('https://[::ffff:169.254.1.1]/hook')).toBe('forbidden_address');
    expect(code(`https://example.com/${'a'.repeat(2100)}`)).toBe('too_long');
  });

  it('names the field it was given', () => {
    expect(webhookUrlProblems('nope', 'hooks[1].url')[0]?.field).toBe('hooks[1].url');
  });
});
