// The spawner: commands forked by its small child process, with their exit and output.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Spawner } from './spawner.ts';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const base = { argv0: 'sh', cwd: '/', env, cap: Infinity, drainMs: 2000 };

describe('Spawner', () => {
  test('runs a command: its pid, exit code and output', async () => {
    const s = new Spawner();
    try {
      const cmd = await s.run({
        ...base,
        file: '/bin/sh',
        args: ['-c', 'echo out; echo err >&2; echo $$; exit 3'],
      });
      const r = await cmd.result;
      assert.equal(r.code, 3);
      assert.equal(r.signal, null);
      const [out, pid] = r.stdout.toString().trim().split('\n');
      assert.equal(out, 'out');
      assert.equal(Number(pid), cmd.pid, 'the pid is the command’s own');
      assert.equal(r.stderr.toString(), 'err\n');
    } finally {
      s.close();
    }
  });

  test('a command that cannot be started fails as spawn does, with the errno name', async () => {
    const s = new Spawner();
    try {
      await assert.rejects(s.run({ ...base, file: '/nonexistent/x', args: [] }), { code: 'ENOENT' });
      // The spawner serves on after a failure.
      assert.equal((await (await s.run({ ...base, file: '/bin/true', args: [] })).result).code, 0);
    } finally {
      s.close();
    }
  });

  test('output is cut at the cap; a process left in the background does not hold the result past the drain', async () => {
    const s = new Spawner();
    try {
      const t0 = Date.now();
      const cmd = await s.run({
        ...base,
        cap: 10,
        drainMs: 300,
        file: '/bin/sh',
        args: ['-c', 'printf 0123456789abcdef; sleep 5 &'],
      });
      const r = await cmd.result;
      assert.equal(r.stdout.toString(), '0123456789');
      assert.ok(Date.now() - t0 < 4000, 'waited for the background sleep');
      process.kill(-cmd.pid, 'SIGKILL');
    } finally {
      s.close();
    }
  });

  test('its own process group: a signal to the group ends the command (how timeouts kill)', async () => {
    const s = new Spawner();
    try {
      const cmd = await s.run({ ...base, file: '/bin/sleep', args: ['30'] });
      process.kill(-cmd.pid, 'SIGKILL');
      const r = await cmd.result;
      assert.equal(r.signal, 'SIGKILL');
    } finally {
      s.close();
    }
  });

  test('a spawner process that dies fails the commands it held, and the next run starts a new one', async () => {
    const s = new Spawner();
    try {
      const cmd = await s.run({ ...base, file: '/bin/sleep', args: ['30'] });
      // The child is the sleep's parent: kill it (not the sleep) through its pid's parent.
      const { readFileSync } = await import('node:fs');
      const ppid = Number(readFileSync(`/proc/${cmd.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      process.kill(ppid, 'SIGKILL');
      await assert.rejects(cmd.result, /spawner process ended/);
      process.kill(-cmd.pid, 'SIGKILL');
      assert.equal((await (await s.run({ ...base, file: '/bin/true', args: [] })).result).code, 0);
    } finally {
      s.close();
    }
  });
});
