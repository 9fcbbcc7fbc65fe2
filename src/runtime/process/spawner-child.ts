// The spawner's child: a small Node process that forks the short-lived commands of exec probes
// and exec hooks for the process runtime. A fork copies the page tables of the process that
// forks; from this process (tens of MB) that costs a fraction of what it costs from nodelet's
// (hundreds of MB at a few hundred pods), and the fork no longer stops nodelet's event loop.
// Messages (see spawner.ts): run → spawned | failed, then exit with the captured output.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { SpawnerReply, SpawnerRequest } from './spawner.ts';

function send(m: SpawnerReply): void {
  process.send?.(m);
}

function capture(stream: Readable | null, cap: number): { done: Promise<void>; value: () => Buffer } {
  const parts: Buffer[] = [];
  let size = 0;
  const done = new Promise<void>((res) => {
    if (!stream) return res();
    stream.on('data', (chunk: Buffer) => {
      if (size >= cap) return;
      const take = chunk.subarray(0, Math.min(chunk.length, cap - size));
      parts.push(take);
      size += take.length;
    });
    stream.once('end', () => res());
    stream.once('close', () => res());
    stream.once('error', () => res());
  });
  return { done, value: () => Buffer.concat(parts) };
}

function run(req: SpawnerRequest): void {
  let child;
  try {
    child = spawn(req.file, req.args, {
      argv0: req.argv0,
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    send({ op: 'failed', id: req.id, code: (e as NodeJS.ErrnoException).code ?? 'EIO', message: String(e) });
    return;
  }
  for (const s of [child.stdout, child.stderr]) s?.on('error', () => undefined);
  const stdout = capture(child.stdout, req.cap);
  const stderr = capture(child.stderr, req.cap);
  child.once('error', (e: NodeJS.ErrnoException) => {
    send({ op: 'failed', id: req.id, code: e.code ?? 'EIO', message: e.message });
  });
  child.once('spawn', () => {
    child.on('error', () => undefined);
    send({ op: 'spawned', id: req.id, pid: child.pid as number });
  });
  child.once('exit', (code, signal) => {
    // Processes the command left in the background may hold its pipes: wait for them a while only.
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<void>((res) => (timer = setTimeout(res, req.drainMs)));
    void Promise.race([Promise.all([stdout.done, stderr.done]), drained]).then(() => {
      clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      send({ op: 'exit', id: req.id, code, signal, stdout: stdout.value(), stderr: stderr.value() });
    });
  });
}

process.on('message', (m: SpawnerRequest) => run(m));
// nodelet went away: so does this process (the commands it started are their own groups).
process.on('disconnect', () => process.exit(0));
