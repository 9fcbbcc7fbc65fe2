// Finds the executable of a command the way runc does inside a container (Go's exec.LookPath over
// the process's own PATH), and words the failures as containerd/runc report them, so the kubelet's
// RunContainerError and exec errors read as they do on a real node.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** containerd's PATH for a process whose image sets none (oci.DefaultPathEnv on Linux). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type LookPathResult = { ok: true; path: string } | { ok: false; error: string };

function executableFile(path: string): 'ok' | 'missing' | 'denied' | 'directory' {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 'missing';
  }
  if (st.isDirectory()) return 'directory';
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'denied';
  }
}

/**
 * Resolves file against pathEnv (a PATH value) with cwd for relative names. The error text is
 * runc's: `exec: "foo": executable file not found in $PATH` for a bare name, `stat /x: no such file
 * or directory` and `exec: "/x": permission denied` for a path.
 */
export function lookPath(file: string, pathEnv: string | undefined, cwd: string): LookPathResult {
  if (file === '') return { ok: false, error: 'exec: "": executable file not found in $PATH' };
  if (file.includes('/')) {
    const full = isAbsolute(file) ? file : resolve(cwd, file);
    switch (executableFile(full)) {
      case 'ok':
        return { ok: true, path: full };
      case 'missing':
        return { ok: false, error: `exec: ${JSON.stringify(file)}: stat ${file}: no such file or directory` };
      case 'directory':
        return { ok: false, error: `exec: ${JSON.stringify(file)}: is a directory` };
      case 'denied':
        return { ok: false, error: `exec: ${JSON.stringify(file)}: permission denied` };
    }
  }
  for (const dir of (pathEnv ?? DEFAULT_PATH).split(delimiter)) {
    // Go's LookPath treats an empty PATH element as the current directory.
    const full = join(dir === '' ? '.' : dir, file);
    const candidate = isAbsolute(full) ? full : resolve(cwd, full);
    if (executableFile(candidate) === 'ok') return { ok: true, path: candidate };
  }
  return { ok: false, error: `exec: ${JSON.stringify(file)}: executable file not found in $PATH` };
}

/** The StartContainer error containerd returns when runc cannot start the process. */
export function startFailure(detail: string): string {
  return (
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: ' +
    `runc create failed: unable to start container process: ${detail}: unknown`
  );
}

/** The ExecSync/Exec error containerd returns when runc cannot start the exec'd process. */
export function execFailure(detail: string): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: ${detail}: unknown`;
}
