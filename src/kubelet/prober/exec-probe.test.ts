// exec probes through a scripted runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../testing/fake-clock.ts';
import { NotFoundError } from '../../runtime/runtime.ts';
import { execProbe, MAX_EXEC_OUTPUT, RUNTIME_REQUEST_TIMEOUT_MS, runtimeContainerId } from './exec-probe.ts';
import { ScriptedRuntime, execResult } from './prober-test-kit.ts';

function run(runtime: ScriptedRuntime, clock = new FakeClock(), command = ['check'], timeoutSeconds = 1) {
  return execProbe({
    runtime,
    clock,
    containerId: 'fake://abc',
    container: { name: 'app' },
    command,
    timeoutSeconds,
  });
}

test('exit 0 is success, non-zero a failure with stdout then stderr', async () => {
  const rt = new ScriptedRuntime();
  rt.script = () => execResult(0, 'ok');
  assert.deepEqual(await run(rt), { result: 'success', output: 'ok' });
  rt.script = () => execResult(3, 'out;', 'err');
  assert.deepEqual(await run(rt), { result: 'failure', output: 'out;err' });
  rt.script = () => execResult(1);
  assert.deepEqual(await run(rt), { result: 'failure', output: '' });
  assert.equal(rt.calls[0]?.id, 'abc');
  assert.equal(rt.calls[0]?.options.maxOutputBytes, MAX_EXEC_OUTPUT);
});

test('combined output is capped at 10 KiB', async () => {
  const rt = new ScriptedRuntime();
  rt.script = () => execResult(1, 'a'.repeat(8000), 'b'.repeat(8000));
  const out = await run(rt);
  assert.equal(out.output.length, 10 * 1024);
  assert.ok(out.output.endsWith('b'));
});

test('the runtime reporting a timeout is a failure with the CRI timeout text', async () => {
  const rt = new ScriptedRuntime();
  rt.script = () => execResult(-1, '', '', true);
  assert.deepEqual(await run(rt, new FakeClock(), ['sh', '-c', 'sleep 10'], 2), {
    result: 'failure',
    output: 'command timed out: "sh -c sleep 10" timed out after 2s',
  });
  assert.equal(rt.calls[0]?.options.timeoutMs, 2000);
});

test('a runtime that never answers hits the CRI deadline: also a timeout failure', async () => {
  const rt = new ScriptedRuntime();
  rt.script = () => new Promise(() => undefined);
  const clock = new FakeClock();
  const pending = run(rt, clock);
  await clock.advance(1000 + RUNTIME_REQUEST_TIMEOUT_MS);
  assert.deepEqual(await pending, {
    result: 'failure',
    output: 'command timed out: "check" timed out after 1s',
  });
});

test('an exec error is Unknown with the error', async () => {
  const rt = new ScriptedRuntime();
  rt.script = () => {
    throw new NotFoundError('container abc not found');
  };
  const out = await run(rt);
  assert.equal(out.result, 'unknown');
  assert.equal(out.error?.message, 'container abc not found');
});

test('runtimeContainerId strips the runtime prefix', () => {
  assert.equal(runtimeContainerId('process://1234'), '1234');
  assert.equal(runtimeContainerId('1234'), '1234');
});
