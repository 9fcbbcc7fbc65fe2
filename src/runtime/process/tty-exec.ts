// A pseudo-terminal for `kubectl exec -t` without a native addon: util-linux `script` allocates the
// pty and runs the command in it (`script -qfec CMD /dev/null`: quiet, flush each write, pass the
// command's exit status on, no typescript file). Its stdin and stdout are plain pipes here, so what
// is typed goes through the pty's line discipline (echo, ^C → SIGINT) like a real terminal, and
// stdout and stderr of the command arrive merged, as they do on a TTY.
//
// `script` runs the command through `$SHELL -c`; we set SHELL=/bin/sh for it and restore the
// container's own SHELL (or its absence) before exec'ing the command, so the command sees the
// container's environment unchanged.
import { existsSync, readlinkSync } from 'node:fs';
import { listProcs } from './proc-table.ts';

const SCRIPT_CANDIDATES = ['/usr/bin/script', '/bin/script'];

/** Path of util-linux `script`, or undefined when this host has none. */
export function scriptPath(): string | undefined {
  return SCRIPT_CANDIDATES.find((p) => existsSync(p));
}

/** POSIX shell single-quoting. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The argv for `script` running command in a pty, with env being the command's environment. */
export function scriptArgs(command: readonly string[], env: Record<string, string>): string[] {
  const restore =
    env.SHELL !== undefined ? `SHELL=${shellQuote(env.SHELL)}; export SHELL; ` : 'unset SHELL; ';
  const line = `${restore}exec ${command.map(shellQuote).join(' ')}`;
  return ['-qfec', line, '/dev/null'];
}

/**
 * The terminal device of the command `script` started (its child's stdin), once it exists: the
 * place to set the window size so the kernel sends SIGWINCH to the foreground process group.
 */
export function ptyOfScript(scriptPid: number): string | undefined {
  const child = listProcs().find((p) => p.ppid === scriptPid);
  if (!child) return undefined;
  try {
    const dev = readlinkSync(`/proc/${child.pid}/fd/0`);
    return dev.startsWith('/dev/pts/') ? dev : undefined;
  } catch {
    return undefined;
  }
}
