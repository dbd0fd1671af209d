import { describe, expect, it } from 'vitest';
import { forbiddenAddressReason, isForbiddenAddress } from '../../../src/service/media/address-guard.js';

describe('forbiddenAddressReason', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['[::1]', 'a loopback address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['10.0.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.0.10', 'a private address'],
    ['::ffff:192.168.0.10', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['fc00::1', 'a unique-local address'],
    ['fdff:ffff::1', 'a unique-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['100.127.255.254', 'a carrier-grade NAT address'],
    ['224.0.0.251', 'a multicast address'],
    ['ff02::fb', 'a multicast address'],
    ['0.0.0.0', 'an unspecified address'],
    ['0.1.2.3', 'an unspecified address'],
    ['::', 'an unspecified address'],
    ['255.255.255.255', 'the broadcast address'],
    ['240.0.0.1', 'a reserved address'],
    ['198.18.0.1', 'a reserved address'],
    ['203.0.113.9', 'a reserved address'],
    ['64:ff9b::10.0.0.1', 'a NAT64 address'],
    ['2002:7f00:1::', 'a 6to4 address'],
    ['2001:0:4136:e378::1', 'a Teredo address'],
    ['example.com', 'not an IP address'],
  ])('%s is refused: %s', (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
  ])('%s (global unicast) is allowed', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
    expect(isForbiddenAddress(address)).toBe(false);
  });
});
