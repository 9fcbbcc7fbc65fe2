// The apiserver's door to the Pod model in src/api/: defaulting, validation, and the schema the
// decoder checks bodies against (unknown fields, JSON type errors), worded by src/api.
export { applyPodDefaults, applyPodSchemeDefaults } from '../api/defaults.ts';
export { invalidStatus, validatePod, validatePodStatusUpdate, validatePodUpdate } from '../api/validation.ts';
export {
  cannotBeHandledMessage,
  decodeError,
  hasSchema,
  strictDecodingMessage,
  strictProblems,
  unknownFields,
} from '../api/schema.ts';
