import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { scriptArgs, shellQuote } from './tty-exec.ts';

test('shell quoting keeps every argument literal', () => {
  const args = ['plain', "it's", 'a "b"', '$HOME', '`x`', '', 'back\\slash', 'new\nline'];
  const out = execFileSync('/bin/sh', ['-c', `printf '%s|' ${args.map(shellQuote).join(' ')}`], {
    encoding: 'utf8',
  });
  assert.equal(out, args.map((a) => `${a}|`).join(''));
  assert.equal(shellQuote('simple-arg_1.txt'), 'simple-arg_1.txt');
});

test('script runs the command with the container’s SHELL restored, or unset', () => {
  assert.deepEqual(scriptArgs(['sh', '-c', 'echo hi'], {}), [
    '-qfec',
    "unset SHELL; exec sh -c 'echo hi'",
    '/dev/null',
  ]);
  assert.equal(scriptArgs(['bash'], { SHELL: '/bin/bash' })[1], 'SHELL=/bin/bash; export SHELL; exec bash');
});
