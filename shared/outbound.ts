/**
 * Where this platform may send requests on someone else's say-so (webhook subscriptions): public
 * https endpoints only, never this machine, a private network or a cloud metadata service. Local
 * development names its exceptions (e.g. `127.0.0.1` for a receiver on this machine).
 */
export interface OutboundPolicy {
  /** Hosts (`host` or `host:port`) allowed over http and at private addresses; empty in production. */
  allowedHosts: readonly string[];
}

/** Names that only ever mean this machine or a private network. */
const PRIVATE_NAMES = /(^|\.)(localhost|local|localdomain|internal|intranet|lan|home\.arpa|corp)$/i;

/**
 * Why a request to `url` is refused, or null when it may be made. Checked when a subscription is
 * made and again before every delivery (the rules, or the allowed hosts, may have changed since).
 *
 * @example
 * refusalOf('http://127.0.0.1:22/', { allowedHosts: [] }) // '127.0.0.1 is a loopback address'
 */
export function refusalOf(url: string, policy: OutboundPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'it is not a URL';
  }
  if (parsed.username || parsed.password) return 'it carries credentials; put them in the receiver, not the URL';
  const hostname = parsed.hostname.replace(/\.$/, '').toLowerCase();
  const allowed = policy.allowedHosts.some(
    (h) => h.toLowerCase() === hostname || h.toLowerCase() === `${hostname}:${parsed.port}`,
  );
  if (allowed && (parsed.protocol === 'https:' || parsed.protocol === 'http:')) return null;
  if (parsed.protocol !== 'https:') return 'it must be https';
  const address = ipAddress(hostname);
  if (address) return `${hostname} is ${rangeOf(address) ?? 'an IP address'}; use the receiver's host name`;
  if (!hostname.includes('.')) return `${hostname} is not a public host name`;
  if (PRIVATE_NAMES.test(hostname)) return `${hostname} names a private host`;
  const port = parsed.port === '' ? 443 : Number(parsed.port);
  if (port !== 443 && port < 1024) return `port ${port} is reserved; use 443 or a port from 1024`;
  return null;
}

type Address = { v: 4; bytes: number[] } | { v: 6; groups: number[] };

/** The IP address a URL's hostname is, if it is one (the URL parser has already canonicalised IPv4 forms such as 0x7f.1). */
function ipAddress(hostname: string): Address | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (v4) return { v: 4, bytes: v4.slice(1).map(Number) };
  if (!hostname.startsWith('[')) return null;
  return { v: 6, groups: ipv6Groups(hostname.slice(1, -1)) };
}

function ipv6Groups(text: string): number[] {
  const [head = '', tail] = text.split('::');
  const parse = (part: string) =>
    (part ? part.split(':') : []).flatMap((g) => (g.includes('.') ? v4AsGroups(g) : [Number.parseInt(g, 16)]));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
}

function v4AsGroups(dotted: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/** What kind of non-public address this is, or null for a public one. */
function rangeOf(address: Address): string | null {
  if (address.v === 6) {
    const g = address.groups;
    if (g.every((x) => x === 0)) return 'the unspecified address';
    if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'a loopback address';
    // IPv4-mapped (::ffff:a.b.c.d): judged as the IPv4 address it is.
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
      return rangeOf({ v: 4, bytes: [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff] });
    }
    if ((g[0]! & 0xfe00) === 0xfc00) return 'a private address (unique local)';
    if ((g[0]! & 0xffc0) === 0xfe80) return 'a link-local address';
    if ((g[0]! & 0xff00) === 0xff00) return 'a multicast address';
    return null;
  }
  const [a = 0, b = 0] = address.bytes;
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 169 && b === 254) return 'a link-local address (cloud metadata lives here)';
  if (a === 100 && b >= 64 && b <= 127) return 'a shared (carrier-grade NAT) address';
  if (a === 0) return 'a "this network" address';
  if (a >= 224) return 'a multicast or reserved address';
  return null;
}
