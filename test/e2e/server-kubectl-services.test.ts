// `nodelet server` driven by the real kubectl: Services (ClusterIP, headless, NodePort), their
// allocation errors, Endpoints and EndpointSlices, ConfigMaps, Secrets and RuntimeClasses, as
// `kubectl get/describe/create/expose/patch/delete` show them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl, KUBECTL, ServerUnderTest } from './server-harness.ts';

const skip = hasKubectl ? false : `${KUBECTL} is not installed: the kubectl end-to-end tests need it`;

/** Table text with runs of spaces squeezed and the AGE column (a duration like 5s, 2m) masked. */
const squeeze = (text: string): string[] =>
  text
    .trimEnd()
    .split('\n')
    .map((l) =>
      l
        .replace(/\s+/g, ' ')
        .replace(/ \d+(s|m\d*s?|m)( |$)/, ' AGE$2')
        .trim(),
    );

describe('Services and friends with kubectl', { skip }, () => {
  const s = new ServerUnderTest();
  const file = (name: string, text: string): string => {
    const p = join(s.dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    await s.start();
  });
  after(async () => {
    await s.cleanup();
  });

  test('a fresh server: the kubernetes Service, its Endpoints and EndpointSlice, two RuntimeClasses', async () => {
    const out = await s.ok(['get', 'svc,ep,cm,secrets,endpointslices,runtimeclass']);
    const lines = squeeze(out);
    assert.deepEqual(lines[0], 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE');
    assert.deepEqual(lines[1], 'service/kubernetes ClusterIP 10.96.0.1 <none> 443/TCP AGE');
    const port = new URL(s.url).port;
    assert.ok(lines.includes('NAME ENDPOINTS AGE'), out);
    assert.ok(lines.includes(`endpoints/kubernetes 127.0.0.1:${port} AGE`), out);
    assert.ok(lines.includes('NAME ADDRESSTYPE PORTS ENDPOINTS AGE'), out);
    assert.ok(lines.includes(`endpointslice.discovery.k8s.io/kubernetes IPv4 ${port} 127.0.0.1 AGE`), out);
    assert.ok(lines.includes('NAME HANDLER AGE'), out);
    assert.ok(lines.includes('runtimeclass.node.k8s.io/oci oci AGE'), out);
    assert.ok(lines.includes('runtimeclass.node.k8s.io/process process AGE'), out);
    const resources = squeeze(await s.ok(['api-resources']));
    for (const row of [
      'services svc v1 true Service',
      'endpoints ep v1 true Endpoints',
      'configmaps cm v1 true ConfigMap',
      'secrets v1 true Secret',
      'endpointslices discovery.k8s.io/v1 true EndpointSlice',
      'runtimeclasses node.k8s.io/v1 false RuntimeClass',
    ]) {
      assert.ok(resources.includes(row), `${row} in\n${resources.join('\n')}`);
    }
  });

  test('ClusterIP: create from a manifest, get (-o wide, -o yaml), describe, delete', async () => {
    const manifest = file(
      'myservice.yml',
      `apiVersion: v1
kind: Service
metadata:
  name: myservice
spec:
  selector:
    app: myapp
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9376
`,
    );
    assert.equal(await s.ok(['create', '-f', manifest]), 'service/myservice created\n');
    const ip = await s.ok(['get', 'svc', 'myservice', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.match(ip, /^10\.96\.\d+\.\d+$/);
    assert.deepEqual(squeeze(await s.ok(['get', 'svc', 'myservice', '-o', 'wide'])), [
      'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR',
      `myservice ClusterIP ${ip} <none> 80/TCP AGE app=myapp`,
    ]);
    const yaml = await s.ok(['get', 'svc', 'myservice', '-o', 'yaml']);
    for (const line of [
      `  clusterIP: ${ip}`,
      '  ipFamilyPolicy: SingleStack',
      '  sessionAffinity: None',
      '  type: ClusterIP',
      '    targetPort: 9376',
      '  loadBalancer: {}',
    ]) {
      assert.ok(yaml.includes(`${line}\n`), `${line} in\n${yaml}`);
    }
    const described = await s.ok(['describe', 'svc', 'myservice']);
    for (const re of [
      /^Name:\s+myservice$/m,
      /^Namespace:\s+default$/m,
      /^Selector:\s+app=myapp$/m,
      /^Type:\s+ClusterIP$/m,
      /^IP Family Policy:\s+SingleStack$/m,
      new RegExp(`^IP:\\s+${ip.replace(/\./g, '\\.')}$`, 'm'),
      /^Port:\s+<unset>\s+80\/TCP$/m,
      /^TargetPort:\s+9376\/TCP$/m,
      /^Session Affinity:\s+None$/m,
      /^Events:\s+<none>$/m,
    ]) {
      assert.match(described, re);
    }
    // The clusterIP may not change.
    const patched = await s.kubectl([
      'patch',
      'svc',
      'myservice',
      '-p',
      '{"spec":{"clusterIP":"10.96.0.99"}}',
    ]);
    assert.notEqual(patched.code, 0);
    assert.equal(
      patched.stderr.trim(),
      'The Service "myservice" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.0.99"]: may not change once set',
    );
    assert.equal(await s.ok(['delete', 'svc', 'myservice']), 'service "myservice" deleted\n');
    // Its address is free again.
    const again = file(
      'again.yml',
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: again\nspec:\n  clusterIP: ${ip}\n  ports:\n  - port: 80\n`,
    );
    assert.equal(await s.ok(['create', '-f', again]), 'service/again created\n');
  });

  test('a requested clusterIP that is taken or outside the range: 422 in the API server words', async () => {
    const clash = file(
      'clash.yml',
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: clash\nspec:\n  clusterIP: 10.96.0.1\n  ports:\n  - port: 80\n`,
    );
    const r = await s.kubectl(['create', '-f', clash]);
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      // kubectl prints a 422 with field causes as "The <Kind> "<name>" is invalid: …".
      'The Service "clash" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.1"]: failed to allocate IP 10.96.0.1: provided IP is already allocated',
    );
    const outside = await s.kubectl([
      'create',
      'service',
      'clusterip',
      'far',
      '--tcp=80',
      '--clusterip=192.168.0.1',
    ]);
    assert.equal(
      outside.stderr.trim(),
      'error: failed to create ClusterIP service: Service "far" is invalid: spec.clusterIPs: Invalid value: ["192.168.0.1"]: failed to allocate IP 192.168.0.1: the provided IP (192.168.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    );
    const bad = await s.kubectl(['create', 'service', 'clusterip', 'Bad_Name', '--tcp=80']);
    assert.match(
      bad.stderr,
      /Service "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a DNS-1035 label/,
    );
  });

  test('headless and NodePort Services from kubectl create service', async () => {
    assert.equal(
      await s.ok(['create', 'service', 'clusterip', 'mydb', '--clusterip=None']),
      'service/mydb created\n',
    );
    assert.deepEqual(squeeze(await s.ok(['get', 'svc', 'mydb'])), [
      'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE',
      'mydb ClusterIP None <none> <none> AGE',
    ]);
    assert.equal(
      await s.ok(['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080']),
      'service/np created\n',
    );
    const row = squeeze(await s.ok(['get', 'svc', 'np']))[1] ?? '';
    assert.match(row, /^np NodePort 10\.96\.\d+\.\d+ <none> 80:30080\/TCP AGE$/);
    const taken = await s.kubectl(['create', 'service', 'nodeport', 'np2', '--tcp=80', '--node-port=30080']);
    assert.equal(
      taken.stderr.trim(),
      'error: failed to create NodePort service: Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    const auto = await s.ok(['create', 'service', 'nodeport', 'np3', '--tcp=81']);
    assert.equal(auto, 'service/np3 created\n');
    const port = Number(await s.ok(['get', 'svc', 'np3', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    assert.ok(port >= 30000 && port <= 32767, String(port));
    const described = await s.ok(['describe', 'svc', 'np']);
    assert.match(described, /^NodePort:\s+80-8080\s+30080\/TCP$/m);
    assert.match(described, /^External Traffic Policy:\s+Cluster$/m);
    await s.ok(['delete', 'svc', 'np', 'np3', 'mydb']);
  });

  test('kubectl expose pod: the selector and named target port of the pod', async () => {
    const pod = file(
      'pod.yml',
      `apiVersion: v1
kind: Pod
metadata:
  name: exposed
  labels:
    app: exposed
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "sleep 1000"]
    ports:
    - containerPort: 8080
      name: http
`,
    );
    await s.ok(['create', '-f', pod]);
    assert.equal(
      await s.ok(['expose', 'pod', 'exposed', '--port=80', '--target-port=http']),
      'service/exposed exposed\n',
    );
    assert.equal(
      await s.ok([
        'get',
        'svc',
        'exposed',
        '-o',
        'jsonpath={.spec.selector.app} {.spec.ports[0].targetPort}',
      ]),
      'exposed http',
    );
    await s.ok(['delete', 'svc', 'exposed']);
    await s.ok(['delete', 'pod', 'exposed', '--grace-period=1']);
  });

  test('ConfigMaps and Secrets from literals', async () => {
    assert.equal(
      await s.ok(['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=2']),
      'configmap/cfg created\n',
    );
    assert.equal(
      await s.ok(['create', 'secret', 'generic', 'pw', '--from-literal=password=hunter2']),
      'secret/pw created\n',
    );
    assert.deepEqual(squeeze(await s.ok(['get', 'cm', 'cfg'])), ['NAME DATA AGE', 'cfg 2 AGE']);
    assert.deepEqual(squeeze(await s.ok(['get', 'secrets'])), ['NAME TYPE DATA AGE', 'pw Opaque 1 AGE']);
    assert.equal(
      await s.ok(['get', 'secret', 'pw', '-o', 'jsonpath={.data.password}']),
      Buffer.from('hunter2').toString('base64'),
    );
    assert.equal(await s.ok(['get', 'cm', 'cfg', '-o', 'jsonpath={.data.b}']), '2');
    const bad = await s.kubectl(['create', 'configmap', 'bad', '--from-literal=a b=1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /"a b"/);
  });
});
