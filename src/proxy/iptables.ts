// The boundary around the iptables tools: iptables-restore for our chains (atomic per table),
// iptables-save to see which of our chains exist, and plain `iptables -C/-I/-D` for the jumps
// from the built-in chains. `-w` waits for the xtables lock instead of failing when another
// writer (podman, another proxy) holds it.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { JumpRule, Table } from './rules.ts';

const execFileP = promisify(execFile);

export interface Iptables {
  /** Feeds text to `iptables-restore --noflush`; rejects with the tool's message. */
  restore(text: string): Promise<void>;
  /** `iptables-save -t TABLE`. */
  save(table: Table): Promise<string>;
  /** Whether the jump exists (`iptables -C`). */
  hasJump(jump: JumpRule): Promise<boolean>;
  /** Inserts the jump first in its chain (`iptables -I CHAIN 1`). */
  insertJump(jump: JumpRule): Promise<void>;
  /** Deletes one copy of the jump (`iptables -D`); false when there was none. */
  deleteJump(jump: JumpRule): Promise<boolean>;
  /** Whether the chain exists (`iptables -S CHAIN`). */
  hasChain(table: Table, chain: string): Promise<boolean>;
}

export interface SystemIptablesOptions {
  /** Directory of the tools; default: found on PATH (with /usr/sbin and /sbin added). */
  binDir?: string;
}

export class SystemIptables implements Iptables {
  private readonly bin: (tool: string) => string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: SystemIptablesOptions = {}) {
    const dir = options.binDir;
    this.bin = (tool) => (dir ? `${dir}/${tool}` : tool);
    this.env = { ...process.env, PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` };
  }

  restore(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin('iptables-restore'), ['-w', '5', '--noflush'], {
        env: this.env,
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`iptables-restore failed (exit ${code}): ${err.trim()}`));
      });
      child.stdin.end(text);
    });
  }

  async save(table: Table): Promise<string> {
    const { stdout } = await execFileP(this.bin('iptables-save'), ['-t', table], { env: this.env });
    return stdout;
  }

  private async run(args: string[]): Promise<boolean> {
    try {
      await execFileP(this.bin('iptables'), ['-w', '5', ...args], { env: this.env });
      return true;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      // Exit 1: the rule is not there (-C) or could not be deleted (-D); anything else is an error.
      if (code === 1) return false;
      throw e;
    }
  }

  hasJump(j: JumpRule): Promise<boolean> {
    return this.run(['-t', j.table, '-C', j.chain, ...j.args]);
  }

  async insertJump(j: JumpRule): Promise<void> {
    if (!(await this.run(['-t', j.table, '-I', j.chain, '1', ...j.args])))
      throw new Error(`iptables -t ${j.table} -I ${j.chain} failed`);
  }

  deleteJump(j: JumpRule): Promise<boolean> {
    return this.run(['-t', j.table, '-D', j.chain, ...j.args]);
  }

  hasChain(table: Table, chain: string): Promise<boolean> {
    return this.run(['-t', table, '-S', chain, '1']);
  }
}

/** Why the proxy cannot run here, or undefined when it can (root and the iptables tools). */
export async function iptablesUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the service proxy needs root (iptables)';
  try {
    await execFileP('iptables-restore', ['--version'], {
      env: { ...process.env, PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` },
    });
    return undefined;
  } catch {
    return 'the service proxy needs iptables-restore (apt-get install iptables)';
  }
}
