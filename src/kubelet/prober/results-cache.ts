// The per-kind results cache (pkg/kubelet/prober/results/results_manager.go): the published result
// of each container instance, keyed by container ID; an update goes out only when a value changes.

export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface CachedResult {
  result: ProbeResult;
  podUid: string;
  containerName: string;
}

export class ResultsCache {
  private readonly byId = new Map<string, CachedResult>();
  private readonly onChange: (containerId: string, entry: CachedResult) => void;

  constructor(onChange: (containerId: string, entry: CachedResult) => void) {
    this.onChange = onChange;
  }

  get(containerId: string): ProbeResult | undefined {
    return this.byId.get(containerId)?.result;
  }

  /** Stores the result; returns whether it changed (and then tells the listener). */
  set(containerId: string, result: ProbeResult, podUid: string, containerName: string): boolean {
    const prior = this.byId.get(containerId);
    if (prior?.result === result) return false;
    const entry = { result, podUid, containerName };
    this.byId.set(containerId, entry);
    this.onChange(containerId, entry);
    return true;
  }

  /** Forgets the container instance silently, as Remove does. */
  remove(containerId: string): void {
    this.byId.delete(containerId);
  }
}
