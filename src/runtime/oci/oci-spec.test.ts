import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  buildSpec,
  capabilities,
  DEFAULT_CAPABILITIES,
  mergeCommand,
  mergeEnv,
  milliCpuToQuota,
  milliCpuToShares,
  resolveUser,
  resources,
  SpecConfigError,
  verifyRunAsNonRoot,
  type SpecInput,
} from './oci-spec.ts';

const rootfs = mkdtempSync(join(tmpdir(), 'oci-spec-'));
mkdirSync(join(rootfs, 'etc'));
writeFileSync(
  join(rootfs, 'etc/passwd'),
  'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www:/var/www:/bin/false\nnobody:x:65534:65534::/nonexistent:/bin/false\n',
);
writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nwww-data:x:33:\nadm:x:4:www-data,other\n');
after(() => rmSync(rootfs, { recursive: true, force: true }));

test('command merge follows Kubernetes: command replaces ENTRYPOINT and drops CMD; args replace CMD', () => {
  const image = { Entrypoint: ['/ep', 'x'], Cmd: ['c1', 'c2'] };
  assert.deepEqual(mergeCommand(image, undefined, undefined), ['/ep', 'x', 'c1', 'c2']);
  assert.deepEqual(mergeCommand(image, [], ['a']), ['/ep', 'x', 'a']);
  assert.deepEqual(mergeCommand(image, ['/cmd'], undefined), ['/cmd']);
  assert.deepEqual(mergeCommand(image, ['/cmd'], ['a']), ['/cmd', 'a']);
  assert.deepEqual(mergeCommand({ Cmd: ['sh'] }, undefined, ['-c', 'true']), ['-c', 'true']);
  assert.deepEqual(mergeCommand({ Entrypoint: [''], Cmd: ['sh'] }, undefined, undefined), ['sh']);
  assert.deepEqual(mergeCommand({ Entrypoint: null, Cmd: null }, undefined, undefined), []);
});

test('env: image Env, then the container env replacing by name; HOSTNAME and PATH defaults', () => {
  const env = mergeEnv(
    { Env: ['PATH=/img/bin', 'A=image', 'B=image'] },
    [
      { name: 'A', value: 'pod' },
      { name: 'C', value: 'x=y' },
    ],
    'h1',
  );
  assert.deepEqual(env, ['HOSTNAME=h1', 'PATH=/img/bin', 'B=image', 'A=pod', 'C=x=y']);
  assert.ok(
    mergeEnv({}, [], 'h').includes('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
  );
});

test('user: runAsUser/runAsGroup over the image USER, names through /etc/passwd and /etc/group', () => {
  assert.deepEqual(resolveUser(rootfs, {}, undefined, undefined), {
    uid: 0,
    gid: 0,
    additionalGids: [],
    home: '/root',
  });
  assert.deepEqual(resolveUser(rootfs, { User: 'www-data' }, undefined, undefined), {
    uid: 33,
    gid: 33,
    additionalGids: [4],
    home: '/var/www',
  });
  assert.deepEqual(resolveUser(rootfs, { User: '1000:2000' }, undefined, undefined), {
    uid: 1000,
    gid: 2000,
    additionalGids: [],
  });
  assert.equal(resolveUser(rootfs, { User: 'www-data:adm' }, undefined, undefined).gid, 4);
  const u = resolveUser(
    rootfs,
    { User: 'www-data' },
    { runAsUser: 65534 },
    { runAsGroup: 7, supplementalGroups: [9], fsGroup: 8 },
  );
  assert.deepEqual(u, { uid: 65534, gid: 7, additionalGids: [8, 9], home: '/nonexistent' });
  assert.throws(
    () => resolveUser(rootfs, { User: 'ghost' }, undefined, undefined),
    /unable to find user ghost: no matching entries in passwd file/,
  );
});

test('runAsNonRoot is checked with the kubelet messages', () => {
  const check = (image: { User?: string }, sc: object | undefined, psc: object | undefined): void =>
    verifyRunAsNonRoot(image, sc, psc, 'p', 'c');
  assert.throws(() => check({}, { runAsNonRoot: true }, undefined), {
    message: 'container has runAsNonRoot and image will run as root (pod: "p", container: c)',
  });
  assert.throws(
    () => check({ User: 'www-data' }, undefined, { runAsNonRoot: true }),
    /image has non-numeric user \(www-data\), cannot verify user is non-root/,
  );
  assert.throws(
    () => check({}, { runAsNonRoot: true, runAsUser: 0 }, undefined),
    /runAsUser breaks non-root policy/,
  );
  check({ User: '1000' }, { runAsNonRoot: true }, undefined);
  check({}, { runAsNonRoot: true, runAsUser: 1000 }, undefined);
  check({}, undefined, undefined);
});

test('capabilities: the containerd default set, drop then add, ALL, privileged', () => {
  assert.deepEqual(capabilities(undefined), DEFAULT_CAPABILITIES);
  assert.ok(capabilities(undefined).includes('CAP_CHOWN'));
  assert.deepEqual(capabilities({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }), [
    'CAP_NET_BIND_SERVICE',
  ]);
  const c = capabilities({ capabilities: { drop: ['CHOWN'], add: ['SYS_ADMIN', 'CAP_NET_ADMIN'] } });
  assert.ok(!c.includes('CAP_CHOWN') && c.includes('CAP_SYS_ADMIN') && c.includes('CAP_NET_ADMIN'));
  assert.ok(capabilities({ privileged: true }).includes('CAP_SYS_ADMIN'));
});

test('resources: memory limit, CPU shares from requests, quota from limits, pids', () => {
  assert.equal(milliCpuToShares(0), 2);
  assert.equal(milliCpuToShares(250), 256);
  assert.equal(milliCpuToQuota(500), 50_000);
  assert.equal(milliCpuToQuota(1), 1000);
  const r = resources(
    { name: 'c', resources: { limits: { memory: '128Mi', cpu: '500m' } } },
    { pidsLimit: 100 },
  );
  assert.deepEqual(r.memory, { limit: 134217728, swap: 134217728 });
  assert.deepEqual(r.cpu, { shares: 512, quota: 50000, period: 100000 });
  assert.deepEqual(r.pids, { limit: 100 });
  const best = resources({ name: 'c' }, { pidsLimit: 0 });
  assert.deepEqual(best.cpu, { shares: 2 });
  assert.equal(best.memory, undefined);
  assert.equal(best.pids, undefined);
});

const base: SpecInput = {
  rootfs,
  image: { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/srv', User: 'www-data' },
  podName: 'p',
  name: 'c',
  command: [],
  env: [],
  hostname: 'p',
  tty: false,
  mounts: [],
  namespaces: [{ type: 'mount' }],
  cgroupsPath: '/nodelet/podu/c',
  rlimitNofile: 20000,
  pidsLimit: 0,
};

test('buildSpec: image defaults, the split of the kubelet command into command and args', () => {
  const s = buildSpec(base);
  assert.deepEqual(s.process.args, ['sh']);
  assert.equal(s.process.cwd, '/srv');
  assert.deepEqual(s.process.user, { uid: 33, gid: 33, additionalGids: [4] });
  assert.ok(s.process.env.includes('HOME=/var/www'));
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }]);
  assert.equal(s.process.noNewPrivileges, false);
  assert.equal(s.root.readonly, false);
  assert.ok(s.linux.maskedPaths?.includes('/proc/kcore'));
  // args only (the kubelet passes command + args joined): they replace CMD.
  const withArgs = buildSpec({
    ...base,
    image: { Entrypoint: ['/ep'], Cmd: ['x'] },
    container: { name: 'c', args: ['a', 'b'] },
    command: ['a', 'b'],
  });
  assert.deepEqual(withArgs.process.args, ['/ep', 'a', 'b']);
  const withCmd = buildSpec({
    ...base,
    image: { Entrypoint: ['/ep'], Cmd: ['x'] },
    container: { name: 'c', command: ['/c'], args: ['a'] },
    command: ['/c', 'a'],
  });
  assert.deepEqual(withCmd.process.args, ['/c', 'a']);
  assert.throws(() => buildSpec({ ...base, image: {} }), SpecConfigError);
});

test('buildSpec: securityContext — read-only root, no privilege escalation, privileged', () => {
  const s = buildSpec({
    ...base,
    container: {
      name: 'c',
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsUser: 1000 },
    },
  });
  assert.equal(s.root.readonly, true);
  assert.equal(s.process.noNewPrivileges, true);
  assert.equal(s.process.user.uid, 1000);
  const p = buildSpec({ ...base, container: { name: 'c', securityContext: { privileged: true } } });
  assert.equal(p.linux.maskedPaths, undefined);
  assert.ok(p.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
});
