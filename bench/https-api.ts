// The PodApi over `nodelet server`'s HTTPS Kubernetes API, through the official JavaScript client
// (@kubernetes/client-node) with the kubeconfig the server wrote: TLS, bearer token, JSON, the
// API server's handlers and its SQLite store, exactly as any client reaches nodelet.
import * as k8s from '@kubernetes/client-node';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodApi, PodEventType } from './pod-api.ts';

export class HttpsPodApi implements PodApi {
  readonly path = 'HTTPS Kubernetes API of nodelet server (SQLite store) through @kubernetes/client-node';
  private readonly kc: k8s.KubeConfig;
  private readonly core: k8s.CoreV1Api;

  constructor(kubeconfig: string) {
    this.kc = new k8s.KubeConfig();
    this.kc.loadFromFile(kubeconfig);
    this.core = this.kc.makeApiClient(k8s.CoreV1Api);
  }

  async create(pod: Pod): Promise<void> {
    await this.core.createNamespacedPod({
      namespace: pod.metadata?.namespace ?? 'default',
      body: pod as unknown as k8s.V1Pod,
    });
  }

  async delete(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ namespace, name });
  }

  async list(namespace: string): Promise<number> {
    return (await this.core.listNamespacedPod({ namespace })).items.length;
  }

  async label(namespace: string, name: string, key: string, value: string): Promise<void> {
    await this.core.patchNamespacedPod(
      { namespace, name, body: { metadata: { labels: { [key]: value } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  /** Watches from the current resourceVersion, so nothing written after the call is missed. */
  async watch(handler: (type: PodEventType, pod: Pod) => void): Promise<() => void> {
    const rv = (await this.core.listNamespacedPod({ namespace: 'default', limit: 1 })).metadata
      ?.resourceVersion;
    const watch = new k8s.Watch(this.kc);
    let stopped = false;
    const abort = await watch.watch(
      '/api/v1/namespaces/default/pods',
      { resourceVersion: rv, allowWatchBookmarks: false },
      (type: string, obj: Pod) => {
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') handler(type, obj);
      },
      (err: unknown) => {
        if (err && !stopped)
          process.stderr.write(`bench: watch ended: ${String((err as Error).message ?? err)}\n`);
      },
    );
    return () => {
      stopped = true;
      abort.abort();
    };
  }
}
