// ClusterIP allocation from the service CIDR, as kube-apiserver's bitmap allocator does it
// (pkg/registry/core/service/ipallocator, Kubernetes 1.32): IPv4 only; the network and broadcast
// addresses are never handed out; addresses are picked at random, from the upper part of the range
// first, so that the lower part stays free for Services that ask for a fixed address (the
// `kubernetes` Service's first address, kube-dns's .10 — "randomScanStrategyWithOffset").

export class IpAllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpAllocationError';
  }
}

export interface Cidr {
  /** The network address as a 32-bit number. */
  base: number;
  bits: number;
  text: string;
}

export function ipToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `10.96.0.0/16`; the address is masked to the network (as net.ParseCIDR does). */
export function parseCidr(text: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const ip = m?.[1] !== undefined ? ipToNumber(m[1]) : undefined;
  const bits = Number(m?.[2]);
  if (ip === undefined || !Number.isInteger(bits) || bits < 1 || bits > 30) {
    throw new Error(
      `invalid service CIDR "${text}": want an IPv4 network with a prefix of /1 to /30, e.g. 10.96.0.0/16`,
    );
  }
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const base = (ip & mask) >>> 0;
  return { base, bits, text: `${numberToIp(base)}/${bits}` };
}

export class ServiceIpAllocator {
  readonly cidr: Cidr;
  /** Offsets from the network address of the addresses in use. */
  private readonly used = new Set<number>();
  /** Usable addresses: network+1 … broadcast−1. */
  readonly size: number;
  /** The first `staticBand` addresses are allocated at random only when the rest are full. */
  private readonly staticBand: number;
  private readonly random: () => number;

  constructor(cidr: string, random: () => number = Math.random) {
    this.cidr = parseCidr(cidr);
    this.size = 2 ** (32 - this.cidr.bits) - 2;
    // min(max(16, size/16), 256), as the allocator's rangeOffset.
    this.staticBand = Math.min(Math.max(16, Math.floor(this.size / 16)), 256);
    if (this.staticBand >= this.size) this.staticBand = 0;
    this.random = random;
  }

  /** The first usable address (what the `kubernetes` Service gets). */
  first(): string {
    return numberToIp(this.cidr.base + 1);
  }

  /** The offset of ip within the range (1-based), or undefined when outside it. */
  private offsetOf(ip: string): number | undefined {
    const n = ipToNumber(ip);
    if (n === undefined) return undefined;
    const off = n - this.cidr.base;
    return off >= 1 && off <= this.size ? off : undefined;
  }

  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  isAllocated(ip: string): boolean {
    const off = this.offsetOf(ip);
    return off !== undefined && this.used.has(off);
  }

  /** Takes ip, with the allocator's error wording when it is outside the range or taken. */
  allocate(ip: string): void {
    const off = this.offsetOf(ip);
    if (off === undefined) {
      throw new IpAllocationError(
        `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr.text}`,
      );
    }
    if (this.used.has(off)) throw new IpAllocationError('provided IP is already allocated');
    this.used.add(off);
  }

  /** Marks ip as used if it is in the range (rebuilding from stored Services; never throws). */
  mark(ip: string): void {
    const off = this.offsetOf(ip);
    if (off !== undefined) this.used.add(off);
  }

  allocateNext(): string {
    if (this.used.size >= this.size) throw new IpAllocationError('range is full');
    // Dynamic band first (offsets staticBand+1 … size), then the static band (1 … staticBand).
    const bands: [number, number][] = [
      [this.staticBand + 1, this.size],
      [1, this.staticBand],
    ];
    for (const [lo, hi] of bands) {
      const count = hi - lo + 1;
      if (count <= 0) continue;
      const start = Math.floor(this.random() * count);
      for (let i = 0; i < count; i++) {
        const off = lo + ((start + i) % count);
        if (!this.used.has(off)) {
          this.used.add(off);
          return numberToIp(this.cidr.base + off);
        }
      }
    }
    throw new IpAllocationError('range is full');
  }

  release(ip: string): void {
    const off = this.offsetOf(ip);
    if (off !== undefined) this.used.delete(off);
  }

  /** Addresses in use, in order. */
  allocated(): string[] {
    return [...this.used].sort((a, b) => a - b).map((off) => numberToIp(this.cidr.base + off));
  }

  free(): number {
    return this.size - this.used.size;
  }
}
