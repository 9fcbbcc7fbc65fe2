// Free loopback ports for the density pods' HTTP servers. They are taken below the kernel's
// ephemeral range (32768+ by default), so a probe's own outgoing connection never holds a port a
// pod is about to listen on.
import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

export async function freePorts(count: number, from = 20_000, to = 32_000): Promise<number[]> {
  const out: number[] = [];
  for (let p = from; p < to && out.length < count; p++) {
    if (await isFree(p)) out.push(p);
  }
  if (out.length < count)
    throw new Error(`only ${out.length} free loopback ports in ${from}–${to}, wanted ${count}`);
  return out;
}
