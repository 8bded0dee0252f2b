/**
 * Which webhook targets the server may call (SSRF guard, reliability-and-security.md): http(s)
 * only, no credentials in the URL, and — unless the operator allows private targets — no address
 * that reaches this machine, its network or its cloud's metadata service. The sender resolves the
 * host, checks every address here and connects to the checked one.
 */
import { BlockList, isIP } from 'node:net';

/** Why a URL or an address is refused, one sentence each. */
export type WebhookTargetRefusal = string;

/** Ranges no webhook may reach unless private targets are allowed, with the reason shown. */
const blockedIpv4Ranges: ReadonlyArray<[network: string, prefix: number, reason: string]> = [
  ['0.0.0.0', 8, 'an unspecified address'],
  ['10.0.0.0', 8, 'a private address (RFC 1918)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address (RFC 6598)'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'a private address (RFC 1918)'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.168.0.0', 16, 'a private address (RFC 1918)'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

const blockedIpv6Ranges: ReadonlyArray<[network: string, prefix: number, reason: string]> = [
  ['::1', 128, 'a loopback address'],
  ['::', 128, 'an unspecified address'],
  ['::', 96, 'an IPv4-compatible address'],
  ['100::', 64, 'a discard address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['fc00::', 7, 'a unique-local address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
];

const ipv4Lists = blockedIpv4Ranges.map(([network, prefix, reason]) => ({ list: listOf(network, prefix, 'ipv4'), reason }));
const ipv6Lists = blockedIpv6Ranges.map(([network, prefix, reason]) => ({ list: listOf(network, prefix, 'ipv6'), reason }));

function listOf(network: string, prefix: number, family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list;
}

/**
 * Why `address` (an IP literal as DNS returns it) must not be called, or undefined when it is a
 * public address. IPv4 embedded in IPv6 (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
 * `2002::/16`) is judged as the IPv4 address it carries.
 */
export function refusalOfAddress(address: string): WebhookTargetRefusal | undefined {
  const family = isIP(address);
  if (family === 4) return ipv4Lists.find(({ list }) => list.check(address, 'ipv4'))?.reason;
  if (family !== 6) return 'not an IP address';
  const hextets = expandIpv6(address.split('%')[0] ?? address);
  if (hextets === undefined) return 'not an IP address';
  const embedded = embeddedIpv4(hextets);
  if (embedded !== undefined) {
    const reason = refusalOfAddress(embedded);
    return reason === undefined ? undefined : `${reason} (${embedded} inside IPv6)`;
  }
  const normalized = hextets.map((hextet) => hextet.toString(16)).join(':');
  return ipv6Lists.find(({ list }) => list.check(normalized, 'ipv6'))?.reason;
}

/** The IPv4 address an IPv6 address carries by a known convention, if any. */
function embeddedIpv4(hextets: number[]): string | undefined {
  const tail = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const [a, b, c, d, e, f, g, h] = hextets as [number, number, number, number, number, number, number, number];
  // ::ffff:a.b.c.d (mapped)
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff) return tail(g, h);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return tail(g, h);
  // 2002:AABB:CCDD::/48 (6to4)
  if (a === 0x2002) return tail(b, c);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 literal (with `::` and a trailing dotted quad), or undefined. */
function expandIpv6(text: string): number[] | undefined {
  let body = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted?.[1] !== undefined) {
    const octets = dotted[1].split('.').map(Number);
    const [o1 = 0, o2 = 0, o3 = 0, o4 = 0] = octets;
    body = `${body.slice(0, dotted.index)}${((o1 << 8) | o2).toString(16)}:${((o3 << 8) | o4).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':').map((hextet) => Number.parseInt(hextet, 16)));
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...rest];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

/**
 * Checks a webhook URL's form (not its address, which needs DNS): http or https, a host, no
 * user name or password (a secret in a URL ends up in logs; the signature authenticates instead).
 * Returns the parsed URL or the refusal.
 */
export function checkWebhookUrl(text: string): { url: URL } | { refusal: WebhookTargetRefusal } {
  if (!URL.canParse(text)) return { refusal: 'is not a URL' };
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { refusal: `must use http or https, not ${url.protocol.replace(/:$/, '')}` };
  if (url.hostname === '') return { refusal: 'has no host' };
  if (url.username !== '' || url.password !== '') return { refusal: 'must not carry a user name or password; the webhook-signature header authenticates the sender' };
  return { url };
}

/** The host of a parsed URL as DNS or an IP check takes it (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
