// NodePort allocation from the node port range (30000-32767 by default), as kube-apiserver's port
// allocator does it (pkg/registry/core/service/portallocator, Kubernetes 1.32): random picks from
// the upper part of the range first, leaving the lower part for Services that name their port.

export class PortAllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortAllocationError';
  }
}

export interface PortRange {
  base: number;
  size: number;
}

/** Parses `30000-32767` (or a single port). */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const lo = Number(m?.[1]);
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi > 65535 || hi < lo)
    throw new Error(`invalid port range "${text}": want e.g. 30000-32767`);
  return { base: lo, size: hi - lo + 1 };
}

export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export class NodePortAllocator {
  readonly range: PortRange;
  private readonly used = new Set<number>();
  private readonly staticBand: number;
  private readonly random: () => number;

  constructor(range: string = DEFAULT_NODE_PORT_RANGE, random: () => number = Math.random) {
    this.range = parsePortRange(range);
    // min(max(16, size/32), 128), as the port allocator's rangeOffset.
    this.staticBand = Math.min(Math.max(16, Math.floor(this.range.size / 32)), 128);
    if (this.staticBand >= this.range.size) this.staticBand = 0;
    this.random = random;
  }

  get rangeText(): string {
    return `${this.range.base}-${this.range.base + this.range.size - 1}`;
  }

  contains(port: number): boolean {
    return port >= this.range.base && port < this.range.base + this.range.size;
  }

  isAllocated(port: number): boolean {
    return this.used.has(port);
  }

  allocate(port: number): void {
    if (!this.contains(port)) {
      throw new PortAllocationError(
        `provided port is not in the valid range. The range of valid ports is ${this.rangeText}`,
      );
    }
    if (this.used.has(port)) throw new PortAllocationError('provided port is already allocated');
    this.used.add(port);
  }

  /** Marks port as used if it is in the range (rebuilding from stored Services). */
  mark(port: number): void {
    if (this.contains(port)) this.used.add(port);
  }

  allocateNext(): number {
    const { base, size } = this.range;
    const bands: [number, number][] = [
      [this.staticBand, size - 1],
      [0, this.staticBand - 1],
    ];
    for (const [lo, hi] of bands) {
      const count = hi - lo + 1;
      if (count <= 0) continue;
      const start = Math.floor(this.random() * count);
      for (let i = 0; i < count; i++) {
        const port = base + lo + ((start + i) % count);
        if (!this.used.has(port)) {
          this.used.add(port);
          return port;
        }
      }
    }
    throw new PortAllocationError('range is full');
  }

  release(port: number): void {
    this.used.delete(port);
  }

  allocated(): number[] {
    return [...this.used].sort((a, b) => a - b);
  }

  free(): number {
    return this.range.size - this.used.size;
  }
}
