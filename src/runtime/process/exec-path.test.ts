import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execFailure, lookPath, startFailure } from './exec-path.ts';

const dir = mkdtempSync(join(tmpdir(), 'exec-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'bin'));
writeFileSync(join(dir, 'bin', 'tool'), '#!/bin/sh\n');
chmodSync(join(dir, 'bin', 'tool'), 0o755);
writeFileSync(join(dir, 'bin', 'plain'), 'not executable');
chmodSync(join(dir, 'bin', 'plain'), 0o644);

test('a bare name is searched on PATH, in order, skipping what is not executable', () => {
  assert.deepEqual(lookPath('tool', `/nonexistent:${join(dir, 'bin')}`, '/'), {
    ok: true,
    path: join(dir, 'bin', 'tool'),
  });
  // No PATH at all: containerd's default one.
  const sh = lookPath('sh', undefined, '/');
  assert.ok(sh.ok && sh.path.endsWith('/sh'));
  const missing = lookPath('nope', join(dir, 'bin'), '/');
  assert.deepEqual(missing, { ok: false, error: 'exec: "nope": executable file not found in $PATH' });
  // Without an execute bit a file is not a candidate, even for root.
  assert.equal(lookPath('plain', join(dir, 'bin'), '/').ok, false);
});

test('an empty PATH element is the working directory, as in Go', () => {
  assert.deepEqual(lookPath('tool', ':/nonexistent', join(dir, 'bin')), {
    ok: true,
    path: join(dir, 'bin', 'tool'),
  });
});

test('a name with a slash is taken as a path, relative to the working directory', () => {
  assert.deepEqual(lookPath('./bin/tool', '/nonexistent', dir), { ok: true, path: join(dir, 'bin', 'tool') });
  assert.deepEqual(lookPath('/no/such', undefined, '/'), {
    ok: false,
    error: 'exec: "/no/such": stat /no/such: no such file or directory',
  });
  assert.deepEqual(lookPath(join(dir, 'bin'), undefined, '/'), {
    ok: false,
    error: `exec: "${join(dir, 'bin')}": is a directory`,
  });
  assert.deepEqual(lookPath(join(dir, 'bin', 'plain'), undefined, '/'), {
    ok: false,
    error: `exec: "${join(dir, 'bin', 'plain')}": permission denied`,
  });
});

test('the CRI wordings around runc’s error', () => {
  assert.equal(
    startFailure('exec: "foo": executable file not found in $PATH'),
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
      'unable to start container process: exec: "foo": executable file not found in $PATH: unknown',
  );
  assert.equal(
    execFailure('exec: "x": executable file not found in $PATH'),
    'OCI runtime exec failed: exec failed: unable to start container process: exec: "x": executable file not found in $PATH: unknown',
  );
});
