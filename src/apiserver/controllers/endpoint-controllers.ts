// The three controllers that turn Services and pods into Endpoints and EndpointSlices, started and
// stopped together (kube-controller-manager runs them side by side): endpoints, EndpointSlice and
// EndpointSlice mirroring. `nodelet server` runs them on its SQLite store, `nodelet run` on its
// MemoryStore.
import { EndpointsController } from './endpoints-controller.ts';
import { EndpointSliceController } from './endpointslice-controller.ts';
import { EndpointSliceMirroringController } from './endpointslice-mirroring.ts';
import type { ControllerOptions } from './service-watch.ts';

export interface EndpointControllers {
  stop(): void;
}

export function startEndpointControllers(opts: ControllerOptions): EndpointControllers {
  const controllers = [
    new EndpointsController(opts),
    new EndpointSliceController(opts),
    new EndpointSliceMirroringController(opts),
  ];
  for (const c of controllers) c.start();
  return {
    stop: () => {
      for (const c of controllers) c.stop();
    },
  };
}
