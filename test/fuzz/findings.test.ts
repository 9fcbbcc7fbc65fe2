// What the fuzzer found, one test each: hostile input that used to crash the server, answer 500,
// or stall it, and now gets a Kubernetes Status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { loadPods, ManifestInvalidError } from '../../src/api/load.ts';
import { ManifestError } from '../../src/api/decode.ts';
import { startTestServer, TEST_TOKEN, type TestServer } from '../../src/apiserver/test-server.ts';
import { ApiServer } from '../../src/apiserver/server.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';
import { deepArrayText, deepObjectText } from './mutate.ts';

const pod = (name: string): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

function load(text: string): Promise<unknown> {
  return loadPods(['-'], { stdin: Readable.from([Buffer.from(text)]), now: 0, uid: () => 'u' });
}

/** Writes raw bytes on a new connection and returns everything the server sends back. */
function raw(port: number, request: string, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(got) : reject(e)));
    s.on('close', () => resolve(got));
    s.write(request);
    if (opts.end) s.end();
  });
}

describe('hostile manifests', () => {
  test('a field named constructor or __proto__ is an unknown field, not a TypeError', async () => {
    const err = await load(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","constructor":{"prototype":"x"}},' +
        '"spec":{"containers":[{"name":"c","image":"i","__proto__":{"a":1}}]}}',
    ).catch((e: unknown) => e);
    assert.ok(err instanceof ManifestInvalidError, String(err));
    assert.match(err.message, /unknown field "metadata.constructor"/);
  });

  test('10k levels of nesting are refused as too deep, in JSON and in YAML', async () => {
    for (const text of [
      `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"x":${deepObjectText()}}`,
      `apiVersion: v1\nkind: Pod\nx: ${deepArrayText()}\n`,
      deepArrayText(),
    ]) {
      const err = await load(text).catch((e: unknown) => e);
      assert.ok(err instanceof ManifestError, String(err));
    }
    const err = await load(`{"apiVersion":"v1","kind":"Pod","x":${deepObjectText()}}`).catch(
      (e: unknown) => e,
    );
    assert.match(String(err), /exceeded max depth of 1000/);
  });
});

describe('hostile requests', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.json('POST', '/api/v1/namespaces/default/pods', { body: pod('target') });
  });
  after(() => s.close());

  const expectStatus = async (
    r: Response,
    code: number,
    message?: RegExp,
  ): Promise<{ message: string; reason: string }> => {
    const body = (await r.json()) as { kind: string; code: number; message: string; reason: string };
    assert.equal(r.status, code, body.message);
    assert.equal(body.kind, 'Status');
    assert.equal(body.code, code);
    if (message) assert.match(body.message, message);
    return body;
  };

  test('a body nested 10k levels deep is a 400, and nothing is stored', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/events', {
      body: `{"apiVersion":"v1","kind":"Event","metadata":{"name":"deep"},"x":${deepObjectText()}}`,
    });
    await expectStatus(r, 400, /exceeded max depth/);
    const list = await s.request('GET', '/api/v1/events');
    assert.equal(list.status, 200);
  });

  test('a Pod with a constructor field is answered with the unknown field, not a 500', async () => {
    const body = { ...pod('p1'), metadata: { name: 'p1', constructor: { prototype: 'x' } } };
    const r = await s.request('POST', '/api/v1/namespaces/default/pods', { body });
    assert.ok(r.status < 500, `answered ${r.status}`);
    await r.arrayBuffer();
  });

  test('DeleteOptions of the wrong JSON types are a 400 with the decoder words', async () => {
    const r = await s.request('DELETE', '/api/v1/namespaces/default/pods/target', {
      body: { dryRun: 'All', kind: 'DeleteOptions', apiVersion: 'v1' },
    });
    await expectStatus(
      r,
      400,
      /cannot unmarshal string into Go struct field DeleteOptions.dryRun of type \[\]string/,
    );
    const r2 = await s.request('DELETE', '/api/v1/namespaces/default/pods/target', { body: [1] });
    await expectStatus(r2, 400);
  });

  test('a patch that makes metadata a 1 MB string is a 400, not an object of a million keys', async () => {
    const created = await s.request(
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
      {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l1' }, spec: {} },
      },
    );
    assert.equal(created.status, 201);
    await created.arrayBuffer();
    for (const type of ['application/strategic-merge-patch+json', 'application/merge-patch+json']) {
      const r = await s.request(
        'PATCH',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/l1',
        {
          body: { metadata: 'y'.repeat(1_000_000) },
          headers: { 'content-type': type },
        },
      );
      await expectStatus(
        r,
        400,
        /cannot unmarshal string into Go struct field Lease.metadata of type v1.ObjectMeta/,
      );
    }
    const put = await s.request('POST', '/api/v1/namespaces/default/events', {
      body: { apiVersion: 'v1', kind: 'Event', metadata: ['x'] },
    });
    await expectStatus(put, 400, /cannot unmarshal array into Go struct field Event.metadata/);
  });

  test('a continue token that decodes to null is a 400', async () => {
    const r = await s.request('GET', '/api/v1/pods?limit=1&continue=bnVsbA');
    await expectStatus(r, 400, /continue key is not valid/);
  });

  test('a bad percent-escape in the path is a 400', async () => {
    const answer = await raw(
      s.port,
      `GET /api/v1/namespaces/default/pods/%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1.1 400/);
    assert.match(answer, /"kind":"Status"/);
  });

  test('a URL of 20 KB is served (the API server allows 1 MiB of headers)', async () => {
    const r = await s.request('GET', `/api/v1/pods?x=${'z'.repeat(20_000)}`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  });

  test('warnings with control characters or thousands of unknown fields never break the answer', async () => {
    const labels: Record<string, unknown> = {};
    const spec: Record<string, unknown> = { containers: [{ name: 'c', image: 'i' }] };
    for (let i = 0; i < 5000; i++) spec[`unknown${i}`] = 1;
    spec['bad\nfield\u0000'] = 1;
    spec['ünïcödé 中文'] = 1;
    const body = { ...pod('warned'), metadata: { name: 'warned', labels }, spec };
    const r = await s.request('POST', '/api/v1/namespaces/default/pods?fieldValidation=Warn', { body });
    assert.equal(r.status, 201);
    const warning = r.headers.get('warning') ?? '';
    assert.match(warning, /unknown field/);
    // As the API server's recorder: past 4096 runes, each cut to 256 and the rest dropped.
    assert.ok(warning.length < 8 * 1024, `warning header of ${warning.length} bytes`);
    await r.arrayBuffer();
  });

  test('YAML with 20k keys is read with go-yaml rules (last duplicate wins) and answered', async () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\n  labels:\n' +
      Array.from({ length: 20_000 }, (_, i) => `    k${i}: v`).join('\n') +
      '\n    k0: w\nspec:\n  containers: [{name: c, image: i}]\n';
    const r = await s.request('POST', '/api/v1/namespaces/default/pods?fieldValidation=Ignore&dryRun=All', {
      body: text,
      headers: { 'content-type': 'application/yaml' },
    });
    assert.ok(r.status < 500, `answered ${r.status}`);
    await r.arrayBuffer();
  });
});

describe('request bodies over the limit or too slow', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  test('a Content-Length over 3 MiB is refused with 413 before the body is sent', async () => {
    const answer = await raw(
      s.port,
      `POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n{`,
    );
    assert.match(answer, /^HTTP\/1.1 413/);
    assert.match(answer, /"message":"Request entity too large: limit is 3145728"/);
    assert.match(answer, /"reason":"RequestEntityTooLarge"/);
  });

  test('a chunked body is refused once past 3 MiB, and the connection closed', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Up to 64 MiB if the server kept reading; it must answer long before.
        if (sent >= 64) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const r = await fetch(`${s.url}/api/v1/namespaces/default/pods`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    }).catch((e: unknown) => e);
    if (r instanceof Response) {
      assert.equal(r.status, 413);
      await r.arrayBuffer();
    }
    // Either way (answer read, or the connection closed under the upload) the server stopped reading.
    assert.ok(sent < 64, `the server read ${sent} MiB`);
    const v = await s.request('GET', '/version');
    assert.equal(v.status, 200);
    await v.arrayBuffer();
  });

  test('a client that goes away halfway through its body leaves the server answering', async () => {
    for (let i = 0; i < 20; i++) {
      await raw(
        s.port,
        `POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"apiVersion":"v1",',
        { end: true },
      );
    }
    const v = await s.request('GET', '/version');
    assert.equal(v.status, 200);
    await v.arrayBuffer();
  });

  test('a body that stops halfway is answered 408 after the request timeout, not held forever', async () => {
    const store = new MemoryStore();
    const server = new ApiServer({ store, clock: new FakeClock(), token: TEST_TOKEN, requestTimeoutMs: 300 });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const answer = await raw(
        port,
        `POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":',
      );
      assert.match(answer, /^HTTP\/1.1 408/);
    } finally {
      await server.close();
      store.close();
    }
  });
});
