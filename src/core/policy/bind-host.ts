// What address a bind/listen host string makes a server bind, read the way
// the consumers read it: Node's `listen` (net.isIP, else getaddrinfo, whose
// IPv4 fallback is glibc's inet_aton), Python's `socket.bind` (the same
// getaddrinfo) and inet_aton itself. So "0", "0x0", "0.0", "000.000.000.000",
// "::0", "0:0::0", "::ffff:0.0.0.0", "" and "[::]:80" are all the unspecified
// address (bind every interface). A host whose readers disagree (inet_aton
// reads "010.0.0.1" as 8.0.0.1, inet_pton refuses it, a decimal reader says
// 10.0.0.1) is refused, never passed.
//
// The reading never carries the input text back: a host key can hold a URL
// with a password, so only derived facts (a canonical address) are returned.
import ipaddr from 'ipaddr.js';

export type BindReading =
  /** Every interface. `address` is the canonical unspecified address. */
  | { kind: 'all'; address: string }
  /** One concrete IP address (canonical form). */
  | { kind: 'address'; address: string }
  /** A DNS name, or a local socket path: not a wildcard bind. */
  | { kind: 'name' }
  /** Readers could bind different addresses, or none: refuse. */
  | { kind: 'ambiguous'; why: string };

const ALL_V4: BindReading = { kind: 'all', address: '0.0.0.0' };
const ALL_V6: BindReading = { kind: 'all', address: '::' };
const NAME: BindReading = { kind: 'name' };
const ambiguous = (why: string): BindReading => ({ kind: 'ambiguous', why });

/** Canonical dotted-quad decimal: the only IPv4 spelling inet_aton and inet_pton agree on. */
const CANONICAL_V4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** An RFC 1123 host name (labels of letters, digits, `-`; `_` tolerated as resolvers do). */
const HOST_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const PORT = /^\d{1,5}$/;
const ZONE = /^[A-Za-z0-9_.-]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const BLANK_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/**
 * `port` says how a bare number is read: under `listen` it is a port (every
 * server then binds all interfaces); elsewhere a number is a host, which
 * inet_aton reads as a 32-bit address ("0" = 0.0.0.0).
 */
export function readBindHost(value: string, bareNumberIsPort = false): BindReading {
  if (BLANK_OR_CONTROL.test(value)) return readPadded(value, bareNumberIsPort);
  if (bareNumberIsPort && PORT.test(value)) return ALL_V6;
  if (value === '' || value === '*') return ALL_V6;
  // A socket path: no network bind at all.
  if (value.startsWith('/') || value.startsWith('./')) return NAME;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(value);
  if (scheme) return readUrl(scheme[1]!.toLowerCase(), scheme[2]!);
  return readHostPort(value);
}

/**
 * glibc's inet_aton accepts trailing blanks ("0.0.0.0 " is 0.0.0.0) while
 * getaddrinfo and Node refuse them: any reading that binds everything wins,
 * anything else is refused rather than guessed.
 */
function readPadded(value: string, bareNumberIsPort: boolean): BindReading {
  const trimmed = value.trim();
  if (trimmed !== value && !BLANK_OR_CONTROL.test(trimmed)) {
    const inner = readBindHost(trimmed, bareNumberIsPort);
    if (inner.kind === 'all') return inner;
  }
  return ambiguous('the host holds blanks or control characters, which some readers strip and others refuse');
}

function readUrl(scheme: string, rest: string): BindReading {
  if (scheme === 'unix' || scheme === 'file') return NAME;
  const authority = rest.split(/[/?#]/, 1)[0] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostPort === '') return ambiguous('the URL names no host');
  return readHostPort(hostPort);
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, `:port`, or an unbracketed IPv6 literal. */
function readHostPort(value: string): BindReading {
  if (value.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(value);
    if (!m) return ambiguous('a bracketed host must be "[IPv6]" or "[IPv6]:port"');
    return readV6(m[1]!);
  }
  const colons = value.split(':').length - 1;
  if (colons === 0) return readPlainHost(value);
  if (colons === 1) {
    const [host, port] = value.split(':') as [string, string];
    if (!PORT.test(port)) return ambiguous('the part after ":" is not a port number');
    // ":8080" is Go's and most servers' spelling of "every interface".
    return host === '' ? ALL_V6 : readPlainHost(host);
  }
  return readUnbracketedV6(value);
}

/**
 * ":::8080" is not an IPv6 literal, but a reader that splits at the last ":"
 * binds "::" port 8080; "::1:80" is the address ::1:80 to one reader and
 * [::1]:80 to another. Both readings count: if either binds everything, so
 * does the host; if they name different addresses, the host is refused.
 */
function readUnbracketedV6(value: string): BindReading {
  const whole = readV6(value);
  const cut = value.lastIndexOf(':');
  const head = value.slice(0, cut);
  const tail = value.slice(cut + 1);
  if (!PORT.test(tail) || head === '' || !isV6Literal(head)) return whole;
  const split = readV6(head);
  if (whole.kind === 'all') return whole;
  if (split.kind === 'all') return split;
  if (whole.kind === 'address' && split.kind === 'address') {
    return ambiguous(
      `an unbracketed IPv6 host ending in ":<digits>" reads as ${whole.address} or as [${split.address}] with a port; write it in brackets`,
    );
  }
  return whole.kind === 'ambiguous' ? split : whole;
}

function isV6Literal(text: string): boolean {
  const zone = text.indexOf('%');
  return ipaddr.IPv6.isValid(zone < 0 ? text : text.slice(0, zone));
}

function readV6(text: string): BindReading {
  const zoneAt = text.indexOf('%');
  const addr = zoneAt < 0 ? text : text.slice(0, zoneAt);
  if (zoneAt >= 0 && !ZONE.test(text.slice(zoneAt + 1)))
    return ambiguous('the IPv6 zone id is empty or malformed');
  if (!ipaddr.IPv6.isValid(addr)) return ambiguous('the host is neither an IPv6 address nor a host name');
  const ip = ipaddr.IPv6.parse(addr);
  // ::ffff:0.0.0.0 binds the IPv4 wildcard through the mapped range (Linux, Node and Python alike).
  if (ip.isIPv4MappedAddress()) {
    const v4 = ip.toIPv4Address();
    return v4.toString() === '0.0.0.0' ? ALL_V4 : { kind: 'address', address: ip.toString() };
  }
  return ip.range() === 'unspecified' ? ALL_V6 : { kind: 'address', address: ip.toString() };
}

/** No colon: canonical IPv4, an inet_aton short/hex/octal form, or a host name. */
function readPlainHost(host: string): BindReading {
  if (CANONICAL_V4.test(host)) return host === '0.0.0.0' ? ALL_V4 : { kind: 'address', address: host };
  if (!looksNumeric(host)) {
    return HOST_NAME.test(host) ? NAME : ambiguous('the host is neither an IP address nor a valid host name');
  }
  // ipaddr.js's IPv4 parser follows inet_aton (a, a.b, a.b.c; 0x hex and 0 octal parts):
  // the differential test checks it against the real inet_aton.
  if (!ipaddr.IPv4.isValid(host))
    return ambiguous(
      'the host looks numeric but is not an IPv4 address inet_aton accepts (resolvers may still look it up as a name)',
    );
  // Exactly 0.0.0.0: ipaddr.js's "unspecified" range is all of 0.0.0.0/8.
  const ip = ipaddr.IPv4.parse(host);
  if (ip.toString() === '0.0.0.0') return ALL_V4;
  return ambiguous(
    `non-canonical IPv4 form: inet_aton reads ${ip.toString()}, inet_pton refuses it; write the dotted-quad decimal address`,
  );
}

/**
 * The WHATWG URL rule, which resolvers and inet_aton share in effect: a host
 * whose last label starts with a digit is an IPv4 attempt, not a name.
 */
function looksNumeric(host: string): boolean {
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
  return /^[0-9]/.test(labels[labels.length - 1] ?? '');
}
