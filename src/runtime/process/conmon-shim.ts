// A container's supervising parent: conmon (the monitor CRI-O and Podman put above every container)
// driving a stand-in OCI runtime of a few lines of sh. conmon double-forks away from nodelet, so it
// outlives a nodelet restart or crash; it holds the container's stdout and stderr, writes the
// CRI-format log itself (`-l k8s-file:PATH`), and when the container ends writes its exit code to
// `<exit dir>/<id>` (128 + signal for a signal, as containerd and runc report it). So output after
// a restart is not lost and an exit that happens while nodelet is down keeps its real code.
//
// The stand-in runtime answers conmon's `create --bundle B --pid-file P ID`: it starts the
// container's process in a session of its own (`setsid -f`, so it is the leader of its process
// group, as the runtime's stop signals expect), learns its PID through a command substitution that
// ends when the process execs the container's command, writes the PID file and exits. conmon is a
// child subreaper, so the orphaned process becomes its child and conmon waits for it.
//
// Why this and not a Node process per container or per pod: Node takes ~40 ms and ~40 MB to start,
// conmon (C) about 1 ms and 1 MB; with the sh hops the whole start stays a few milliseconds.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** The stand-in OCI runtime conmon runs; only `create` does anything (there is no create/start split). */
const RUNTIME_SCRIPT = `#!/bin/sh
# nodelet's stand-in OCI runtime for conmon (see conmon-shim.ts).
bundle= pidfile= cmd=
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle|-b) bundle=$2; shift 2 ;;
    --pid-file) pidfile=$2; shift 2 ;;
    --console-socket|--root|--log|--log-format) shift 2 ;;
    create|start|kill|delete|state) cmd=$1; shift ;;
    *) shift ;;
  esac
done
[ "$cmd" = create ] || exit 0
exec 3>&1
pid=$(setsid -f /bin/sh "$bundle/exec.sh")
[ -n "$pid" ] || { echo "the container process did not start" >&2; exit 1; }
echo "$pid" > "$pidfile"
`;

export interface ShimSpec {
  /** The container's ID (conmon's -c, the exit file's name). */
  id: string;
  /** Directory for conmon's files (exec.sh, pidfile, conmon.pid, its FIFOs). */
  bundle: string;
  exitDir: string;
  logPath: string;
  /** What execvp gets: the command as given (found on the container's PATH) and its arguments. */
  command: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Single-quotes a word for sh. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function findConmon(): string | undefined {
  for (const d of [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/local/bin',
    '/usr/bin',
    '/usr/libexec/podman',
  ]) {
    if (d && existsSync(join(d, 'conmon'))) return join(d, 'conmon');
  }
  return undefined;
}

export class ConmonShim {
  readonly conmon: string;
  private readonly runtimePath: string;

  constructor(conmon: string, shimDir: string) {
    this.conmon = conmon;
    mkdirSync(shimDir, { recursive: true });
    this.runtimePath = join(shimDir, 'oci-runtime');
    writeFileSync(this.runtimePath, RUNTIME_SCRIPT, { mode: 0o755 });
    chmodSync(this.runtimePath, 0o755);
  }

  /**
   * Starts the container under conmon; resolves with its PID once it runs, and a promise that
   * settles when conmon ends (its sync pipe closes): by then the exit file is written.
   */
  async start(spec: ShimSpec): Promise<{ pid: number; conmonGone: Promise<void> }> {
    mkdirSync(spec.bundle, { recursive: true });
    // `env -i` gives the process exactly the container's environment (conmon's own is not passed
    // on), and execvp finds the command on the container's PATH, keeping argv[0] as given.
    const env = Object.entries(spec.env).map(([k, v]) => shQuote(`${k}=${v}`));
    const script =
      'echo $$\n' +
      `cd ${shQuote(spec.cwd)} || exit 127\n` +
      `exec env -i ${env.join(' ')} ${spec.command.map(shQuote).join(' ')} 1>&3 3>&-\n`;
    writeFileSync(join(spec.bundle, 'exec.sh'), script);
    const args = [
      '--api-version',
      '1',
      '-c',
      spec.id,
      '-u',
      spec.id,
      '-n',
      spec.id.slice(0, 12),
      '-r',
      this.runtimePath,
      '-b',
      spec.bundle,
      '-p',
      join(spec.bundle, 'pidfile'),
      '-P',
      join(spec.bundle, 'conmon.pid'),
      '--exit-dir',
      spec.exitDir,
      '--socket-dir-path',
      spec.bundle,
      '-l',
      `k8s-file:${spec.logPath}`,
      '--log-level',
      'error',
    ];
    const child = spawn(this.conmon, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', _OCI_SYNCPIPE: '3' },
      detached: true,
    });
    const sync = child.stdio[3] as Readable;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stderr?.on('error', () => undefined);
    sync.on('error', () => undefined);
    const conmonGone = new Promise<void>((res) => {
      sync.once('close', () => res());
    });
    const reported = await new Promise<{ data?: number; message?: string }>((res, rej) => {
      let buf = '';
      const onData = (d: Buffer): void => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        const text = nl >= 0 ? buf.slice(0, nl) : buf;
        try {
          const v = JSON.parse(text) as { data?: number; message?: string };
          sync.off('data', onData);
          // The pipe stays ours to drain: conmon must never get SIGPIPE on it.
          sync.on('data', () => undefined);
          res(v);
        } catch {
          // an incomplete message: wait for more
        }
      };
      sync.on('data', onData);
      sync.once('close', () => res({ data: -1, message: stderr.trim() || buf.trim() }));
      child.once('error', rej);
    });
    if (typeof reported.data !== 'number' || reported.data <= 0) {
      throw new Error(
        (reported.message ?? '').replace(/^\[conmon:\w\]:\s*/, '').trim() ||
          'conmon exited without reporting',
      );
    }
    return { pid: reported.data, conmonGone };
  }
}

/** conmon's exit file for the container: its code, or undefined while there is none (or it is still empty). */
export function readExitFile(exitDir: string, id: string): { code: number; at: number } | undefined {
  const f = join(exitDir, id);
  let text: string;
  let at: number;
  try {
    text = readFileSync(f, 'utf8').trim();
    at = statSync(f).mtimeMs;
  } catch {
    return undefined;
  }
  if (text === '') return undefined;
  const n = Number(text);
  return { code: Number.isInteger(n) ? n : 255, at: Math.floor(at) };
}

/** The PID in conmon's pid file, if conmon is still running. */
export function conmonPid(bundle: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(bundle, 'conmon.pid'), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** conmon's control message that makes it reopen its log files (ctrl.c REOPEN_LOGS_EVENT). */
const REOPEN_LOGS_MESSAGE = '2 0 0\n';

/**
 * CRI ReopenContainerLog for a container under conmon, as CRI-O does it: the message `2 0 0` (type 2,
 * REOPEN_LOGS_EVENT; the two numbers are the unused window size) written to the control FIFO
 * `<bundle>/ctl`. conmon then creates the log file at its path anew (a `.tmp` renamed into place)
 * and writes there. Resolves once the new file exists; throws when conmon is not there to read the
 * FIFO (opening a FIFO without a reader for writing fails with ENXIO) or the file does not appear.
 */
export async function reopenConmonLog(
  bundle: string,
  logPath: string,
  sleep: (ms: number) => Promise<void>,
  timeoutMs = 2000,
): Promise<void> {
  const ctl = join(bundle, 'ctl');
  let fd: number;
  try {
    fd = openSync(ctl, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new Error(`failed to open the control FIFO of conmon (${ctl}): ${(e as Error).message}`);
  }
  try {
    writeSync(fd, REOPEN_LOGS_MESSAGE);
  } finally {
    closeSync(fd);
  }
  for (let waited = 0; !existsSync(logPath); waited += 10) {
    if (waited >= timeoutMs) throw new Error(`conmon did not reopen the log file ${logPath}`);
    await sleep(10);
  }
}
