import ipaddr from 'ipaddr.js';

/**
 * The block a client address belongs to for caps and throttles: the /24 of an IPv4 address, the
 * /64 of an IPv6 one (what one household or one small server is usually given, so a script
 * cannot dodge a per-address limit by walking the addresses of its own block). IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`, what a dual-stack socket reports) counts as the IPv4 address. Anything that
 * does not parse is its own block.
 */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') {
    const [a, b, c] = (parsed as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** The address itself, IPv4-mapped IPv6 unwrapped, so one client has one spelling. */
export function canonicalAddress(address: string): string {
  return ipaddr.isValid(address) ? ipaddr.process(address).toString() : address;
}
