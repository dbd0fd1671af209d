import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard: which addresses the service refuses to fetch media from. Anything that is not a
 * global unicast address is refused: private (10/8, 172.16/12, 192.168/16), loopback, link-local
 * (169.254/16 with cloud metadata services, fe80::/10), unique-local (fc00::/7), carrier-grade NAT
 * (100.64/10), multicast, broadcast, unspecified (0.0.0.0, ::, which reach the local machine),
 * reserved and documentation ranges, and the IPv6 forms that carry an IPv4 address inside (mapped
 * `::ffff:a.b.c.d`, NAT64, 6to4, Teredo) whose real target cannot be vetted as IPv6.
 */

/** Names people read, for ipaddr.js's range names. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  reserved: 'a reserved address',
  uniqueLocal: 'a unique-local address',
  ipv4Mapped: 'an IPv4-mapped address',
  rfc6145: 'an IPv4-translated address',
  rfc6052: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

/**
 * Why this address may not be fetched from (`'a loopback address'`), or undefined when it is a
 * global unicast address. Not an IP address at all: refused too (`'not an IP address'`).
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // A zone index (fe80::1%eth0) names an interface: link-local by definition.
  if (text.includes('%')) return RANGE_NAMES.linkLocal;
  if (!ipaddr.isValid(text)) return 'not an IP address';
  let parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::ffff:127.0.0.1 connects to 127.0.0.1: judge the IPv4 address inside.
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
}

export function isForbiddenAddress(address: string): boolean {
  return forbiddenAddressReason(address) !== undefined;
}
