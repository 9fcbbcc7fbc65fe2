// lifecycle.stopSignal (Kubernetes 1.33+) is accepted and validated; grpc.service is defaulted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { applyPodDefaults } from './defaults.ts';
import { unknownFields } from './schema.ts';
import { validatePod } from './validation.ts';

function pod(lifecycle: Record<string, unknown>, os?: string): Pod {
  return applyPodDefaults(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        ...(os ? { os: { name: os } } : {}),
        containers: [
          {
            name: 'c',
            image: 'x',
            lifecycle,
            livenessProbe: { grpc: { port: 9000 } },
          },
        ],
      },
    },
    { now: 0, uid: () => 'u' },
  );
}

test('lifecycle.stopSignal is a known field', () => {
  assert.deepEqual(unknownFields({ ...pod({ stopSignal: 'SIGINT' }, 'linux') }, 'Pod'), []);
});

test('lifecycle.stopSignal needs spec.os.name', () => {
  const errs = validatePod(pod({ stopSignal: 'SIGINT' })).map(String);
  assert.deepEqual(errs, [
    'spec.containers[0].lifecycle.stopSignal: Forbidden: may not be set for containers with empty `spec.os.name`',
  ]);
});

test('lifecycle.stopSignal must be a Linux signal name on linux', () => {
  assert.deepEqual(validatePod(pod({ stopSignal: 'SIGINT' }, 'linux')).map(String), []);
  const errs = validatePod(pod({ stopSignal: 'SIGNOPE' }, 'linux')).map(String);
  assert.equal(errs.length, 1);
  assert.match(
    errs[0] ?? '',
    /^spec\.containers\[0\]\.lifecycle\.stopSignal: Unsupported value: "SIGNOPE": supported values: "SIGABRT", /,
  );
});

test('windows containers may only stop with SIGTERM or SIGKILL', () => {
  const errs = validatePod(pod({ stopSignal: 'SIGINT' }, 'windows')).map(String);
  assert.ok(
    errs.includes(
      'spec.containers[0].lifecycle.stopSignal: Forbidden: may only be set to SIGTERM or SIGKILL for windows containers',
    ),
    errs.join('\n'),
  );
});

test('a grpc probe without service gets the empty service', () => {
  const c = pod({}, 'linux').spec?.containers[0];
  assert.equal(c?.livenessProbe?.grpc?.service, '');
});
