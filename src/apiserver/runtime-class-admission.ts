// The RuntimeClass admission plugin's check on pod create (plugin/pkg/admission/runtimeclass):
// a pod naming a RuntimeClass that does not exist is refused, 403 Forbidden, before the pod
// strategy validates it (the plugin runs in the mutating phase, after NamespaceLifecycle).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Store } from '../store/store.ts';
import type { ApiObject } from './meta.ts';
import { forbidden } from './status.ts';

export function admitRuntimeClass(store: Store, storage: string, obj: ApiObject, name: string): void {
  if (storage !== 'pods') return;
  const className = (obj as Pod).spec?.runtimeClassName;
  if (className === undefined || className === null || className === '') return;
  if (store.get({ resource: 'runtimeclasses', namespace: '', name: className })) return;
  throw forbidden(
    { group: '', resource: 'pods' },
    name,
    `pod rejected: RuntimeClass ${JSON.stringify(className)} not found`,
  );
}
