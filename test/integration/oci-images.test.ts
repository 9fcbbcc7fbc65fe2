// Image pulls and imports against a real registry (Debian's docker-registry on loopback), through
// a mirror, with bearer-token auth, an image index, a corrupted blob, and layer whiteouts.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { c as tarCreate } from 'tar';
import { realClock } from '../../src/util/clock.ts';
import { ImageError } from '../../src/runtime/image/image-service.ts';
import { ImageManager } from '../../src/runtime/image/image-manager.ts';
import { sha256 } from '../../src/runtime/image/image-store.ts';
import {
  buildImages,
  freePort,
  ociSkip,
  startRegistry,
  type BuiltImages,
  type TestRegistry,
} from '../fixtures/images/test-images.ts';

const skip = ociSkip();
const cliPath = new URL('../fixtures/images/image-cli.ts', import.meta.url).pathname;

describe('oci images', { skip }, () => {
  let images: BuiltImages;
  let registry: TestRegistry;
  let root: string;
  const roots: string[] = [];

  const manager = (
    registries: ConstructorParameters<typeof ImageManager>[0]['registries'] = {},
  ): ImageManager => {
    const dir = mkdtempSync(join(root, 'store-'));
    roots.push(dir);
    return new ImageManager({ root: dir, clock: realClock, registries });
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nodelet-oci-images-'));
    images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox');
    await registry.push(images.nginxArchive, 'library/nginx');
  });
  after(async () => {
    await registry?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('pulls docker.io/library/busybox through a mirror; layers unpacked, digests recorded', async () => {
    const m = manager({ mirrors: { 'docker.io': [registry.url] } });
    const r = await m.pullImage('busybox', 'IfNotPresent');
    assert.equal(r.pulled, true);
    assert.deepEqual(r.image.names, ['docker.io/library/busybox:latest']);
    assert.match(r.imageRef, /^docker\.io\/library\/busybox@sha256:[a-f0-9]{64}$/);
    assert.ok(r.size > 1_000_000, `size ${r.size}`);
    const rec = m.record('busybox');
    assert.ok(rec);
    const layer = m.store.layerPath(rec.layers[0]?.diffId ?? '');
    assert.ok(existsSync(join(layer, 'bin', 'busybox')));
    assert.equal(lstatSync(join(layer, 'tmp')).mode & 0o7777, 0o1777, 'modes kept exactly');
    // IfNotPresent with the image present: no pull.
    const again = await m.pullImage('docker.io/library/busybox:latest', 'IfNotPresent');
    assert.equal(again.pulled, false);
    // By digest, pinned: the same image.
    const pinned = await m.pullImage(r.imageRef, 'Always');
    assert.equal(pinned.image.id, r.image.id);
  });

  test('pull policy Never with no image: ErrImageNeverPull; an unknown repository: ErrImagePull', async () => {
    const m = manager({ mirrors: { 'docker.io': [registry.url] }, insecure: ['docker.io'] });
    await assert.rejects(m.pullImage('busybox', 'Never'), (e: unknown) => {
      assert.ok(e instanceof ImageError);
      assert.equal(e.kind, 'ErrImageNeverPull');
      assert.equal(e.message, 'Container image "busybox" is not present with pull policy of Never');
      return true;
    });
    await assert.rejects(m.pullImage(`${registry.host}/library/nothere:1`, 'IfNotPresent'), (e: unknown) => {
      assert.ok(e instanceof ImageError);
      assert.equal(e.kind, 'ErrImagePull');
      assert.match(e.message, /failed to pull and unpack image ".*nothere:1": .*not found/);
      return true;
    });
    await assert.rejects(
      m.pullImage('Bad:Name', 'IfNotPresent'),
      (e: unknown) => e instanceof ImageError && e.kind === 'InvalidImageName',
    );
  });

  describe('through an authenticating proxy', () => {
    let proxy: Server;
    let proxyUrl: string;
    const tokenRequests: string[] = [];
    let corrupt = false;
    before(async () => {
      const port = await freePort();
      proxyUrl = `http://127.0.0.1:${port}`;
      proxy = createServer((req, res) => {
        void (async () => {
          const url = new URL(req.url ?? '/', proxyUrl);
          if (url.pathname === '/token') {
            tokenRequests.push(url.searchParams.get('scope') ?? '');
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ token: 'tok-123' }));
            return;
          }
          if (req.headers.authorization !== 'Bearer tok-123') {
            res.statusCode = 401;
            res.setHeader(
              'www-authenticate',
              `Bearer realm="${proxyUrl}/token",service="test-registry",scope="repository:library/busybox:pull"`,
            );
            res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
            return;
          }
          const upstream = await fetch(registry.url + url.pathname, {
            headers: { accept: req.headers.accept ?? '*/*' },
          });
          let body = Buffer.from(await upstream.arrayBuffer());
          if (corrupt && url.pathname.includes('/blobs/') && body.length > 100_000) {
            body = Buffer.from(body);
            body[body.length - 10] = (body[body.length - 10] ?? 0) ^ 0xff;
          }
          res.statusCode = upstream.status;
          for (const h of ['content-type', 'docker-content-digest']) {
            const v = upstream.headers.get(h);
            if (v) res.setHeader(h, v);
          }
          res.end(body);
        })();
      });
      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    });
    after(() => new Promise<void>((r) => proxy.close(() => r())));

    test('bearer token auth: the 401 challenge is answered with a token for the pull scope', async () => {
      corrupt = false;
      const m = manager({ mirrors: { 'docker.io': [proxyUrl] } });
      const r = await m.pullImage('busybox:latest', 'Always');
      assert.equal(r.pulled, true);
      assert.ok(tokenRequests.includes('repository:library/busybox:pull'), JSON.stringify(tokenRequests));
    });

    test('a layer whose bytes do not match its digest is rejected and not stored', async () => {
      corrupt = true;
      const m = manager({ mirrors: { 'docker.io': [proxyUrl] } });
      await assert.rejects(m.pullImage('busybox:latest', 'Always'), (e: unknown) => {
        assert.ok(e instanceof ImageError);
        assert.equal(e.kind, 'ErrImagePull');
        assert.match(e.message, /unexpected commit digest sha256:[a-f0-9]+, expected sha256:[a-f0-9]+/);
        return true;
      });
      assert.equal((await m.listImages()).length, 0);
      corrupt = false;
    });
  });

  const descriptor = async (
    repo: string,
    tag: string,
  ): Promise<{ digest: string; size: number; mediaType: string }> => {
    const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const body = Buffer.from(await res.arrayBuffer());
    return { digest: sha256(body), size: body.length, mediaType: res.headers.get('content-type') ?? '' };
  };

  test('an image index: the linux/amd64 entry is chosen', async () => {
    // Both manifests in one repository: nginx's labelled arm64 first, busybox's amd64 second.
    await registry.push(images.nginxArchive, 'library/multi', 'nginx');
    await registry.push(images.busyboxArchive, 'library/multi', 'busybox');
    const ng = await descriptor('library/multi', 'nginx');
    const bb = await descriptor('library/multi', 'busybox');
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
      manifests: [
        { ...ng, platform: { os: 'linux', architecture: 'arm64' } },
        { ...bb, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    };
    const put = await fetch(`${registry.url}/v2/library/multi/manifests/latest`, {
      method: 'PUT',
      headers: { 'content-type': index.mediaType },
      body: JSON.stringify(index),
    });
    assert.equal(put.status, 201, await put.text());
    const m = manager({ mirrors: { 'docker.io': [registry.url] } });
    const r = await m.pullImage('multi', 'Always');
    const rec = m.record('multi');
    assert.ok(rec);
    assert.equal(rec.layers.length, 1, 'the busybox manifest (one layer), not nginx (two)');
    assert.equal(rec.config.Cmd?.[0], 'sh');
    // The repo digest is the index's, as the reference resolved it.
    assert.equal(r.imageRef, `docker.io/library/multi@${sha256(JSON.stringify(index))}`);
  });

  test('imports a docker save archive and an OCI archive', async () => {
    const m = manager();
    const [bb] = await m.importArchive(images.nginxArchive);
    assert.deepEqual(bb?.names, ['docker.io/library/nginx:latest']);
    assert.equal(m.record('nginx')?.config.StopSignal, 'SIGQUIT');
    const ociTar = join(root, 'busybox-oci.tar');
    await tarCreate({ file: ociTar, cwd: images.busyboxLayout }, ['.']);
    await assert.rejects(m.importArchive(ociTar), /give a name with --name/);
    const [o] = await m.importArchive(ociTar, { name: 'example.com/tools/busybox:1' });
    assert.deepEqual(o?.names, ['example.com/tools/busybox:1']);
    await m.removeImage('example.com/tools/busybox:1');
    assert.equal(await m.imageStatus('example.com/tools/busybox:1'), undefined);
  });

  test('nodelet image import, ls, rm and pull through a mirror', () => {
    const dataDir = mkdtempSync(join(root, 'cli-'));
    const cli = (...args: string[]): { code: number; out: string; err: string } => {
      const r = spawnSync(process.execPath, [cliPath, ...args, '--data-dir', dataDir], { encoding: 'utf8' });
      return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
    };
    assert.match(
      cli('import', images.nginxArchive).out,
      /^unpacked image: docker\.io\/library\/nginx:latest \(sha256:[a-f0-9]{64}\)\n$/,
    );
    const pulled = cli('pull', '--registry-mirror', `docker.io=${registry.url}`, 'busybox');
    assert.equal(pulled.code, 0, pulled.err);
    const ls = cli('ls').out.split('\n');
    assert.match(ls[0] ?? '', /^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/);
    assert.ok(
      ls.some((l) => /^docker\.io\/library\/busybox\s+latest\s+[a-f0-9]{13}\s+[\d.]+MB$/.test(l)),
      ls.join('\n'),
    );
    assert.equal(cli('rm', 'nginx').code, 0);
    const missing = cli('rm', 'nginx');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no such image "nginx"/);
    const bad = cli(
      'pull',
      '--registry-mirror',
      `docker.io=${registry.url}`,
      `${registry.host}/library/absent:1`,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error: failed to pull and unpack image/);
  });

  test('layer whiteouts become overlayfs whiteouts and opaque directories', async () => {
    const m = manager();
    const src = mkdtempSync(join(root, 'layer-'));
    mkdirSync(join(src, 'a'));
    writeFileSync(join(src, 'a', '.wh..wh..opq'), '');
    writeFileSync(join(src, 'a', 'new'), 'new');
    writeFileSync(join(src, '.wh.gone'), '');
    const tarFile = join(root, 'wh.tar');
    await tarCreate({ file: tarFile, cwd: src, portable: true }, ['.']);
    const bytes = readFileSync(tarFile);
    const digest = m.store.putBlob(bytes);
    const dir = await m.store.unpackLayer({
      digest,
      diffId: digest,
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      size: bytes.length,
    });
    const gone = lstatSync(join(dir, 'gone'));
    assert.ok(gone.isCharacterDevice() && gone.rdev === 0, 'a 0:0 character device');
    assert.equal(readFileSync(join(dir, 'a', 'new'), 'utf8'), 'new');
    assert.ok(!existsSync(join(dir, 'a', '.wh..wh..opq')));
    const xattr = execFileSync('getfattr', [
      '--only-values',
      '-n',
      'trusted.overlay.opaque',
      join(dir, 'a'),
    ]).toString();
    assert.equal(xattr, 'y');
  });
});
