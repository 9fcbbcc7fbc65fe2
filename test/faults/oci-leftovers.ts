// What a test's oci node leaves is removed as the kubelet's garbage collection would: pods deleted,
// the server stopped, then every container and sandbox it left (root filesystem mounts, network
// namespaces) removed through the runtime, its service-proxy chains dropped, its directory gone.
import { join } from 'node:path';
import { removeNodeProxyRules } from '../../src/proxy/node-proxy.ts';
import { OciRuntime } from '../../src/runtime/oci/oci-runtime.ts';
import { realClock } from '../../src/util/clock.ts';
import type { ServerUnderTest } from '../e2e/server-harness.ts';

export async function removeOciLeftovers(server: ServerUnderTest): Promise<void> {
  await server.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--timeout=30s']);
  await server.stop('SIGTERM');
  const oci = new OciRuntime({ root: join(server.dataDir, 'oci'), clock: realClock });
  for (const c of await oci.listContainers()) {
    await oci.stopContainer(c.id, 0).catch(() => undefined);
    await oci.removeContainer(c.id).catch(() => undefined);
  }
  for (const s of await oci.listPodSandboxes()) await oci.removePodSandbox(s.id).catch(() => undefined);
  await oci.close();
  await removeNodeProxyRules(server.dataDir);
  await server.cleanup();
}
