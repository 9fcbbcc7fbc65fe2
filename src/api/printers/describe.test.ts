import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { describeProbe } from './describe-containers.ts';
import { describeEventAge, describeEvents, sortEventsForDescribe } from './describe-events.ts';
import { describeExtras } from './describe-extras.ts';
import { describePod } from './describe-pod.ts';
import { formatRfc1123z } from './time-format.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const iso = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString().replace('.000Z', 'Z');

function event(reason: string, last: number, count: number, first = last, extra: Partial<Event> = {}): Event {
  return {
    metadata: { name: reason },
    involvedObject: { kind: 'Pod', name: 'web' },
    type: 'Normal',
    reason,
    message: `${reason} message`,
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: iso(first),
    lastTimestamp: iso(last),
    count,
    ...extra,
  };
}

test('probe lines as describe prints them', () => {
  const timing = {
    initialDelaySeconds: 1,
    timeoutSeconds: 1,
    periodSeconds: 3,
    successThreshold: 1,
    failureThreshold: 3,
  };
  assert.equal(
    describeProbe({ httpGet: { path: '/index1.html', port: 80, scheme: 'HTTP' }, ...timing }),
    'http-get http://:80/index1.html delay=1s timeout=1s period=3s #success=1 #failure=3',
  );
  assert.equal(
    describeProbe({ httpGet: { path: 'x y', port: 'web', host: 'fd00::1', scheme: 'HTTPS' }, ...timing }),
    'http-get https://[fd00::1]:web/x%20y delay=1s timeout=1s period=3s #success=1 #failure=3',
  );
  assert.equal(
    describeProbe({ exec: { command: ['cat', '/tmp/healthy'] }, ...timing }),
    'exec [cat /tmp/healthy] delay=1s timeout=1s period=3s #success=1 #failure=3',
  );
  assert.equal(
    describeProbe({ tcpSocket: { port: 6379 }, ...timing }),
    'tcp-socket :6379 delay=1s timeout=1s period=3s #success=1 #failure=3',
  );
  assert.equal(
    describeProbe({ grpc: { port: 9090, service: '' }, ...timing }),
    'grpc <pod>:9090  delay=1s timeout=1s period=3s #success=1 #failure=3',
  );
  assert.equal(describeProbe({}), 'unknown delay=0s timeout=0s period=0s #success=0 #failure=0');
});

test('event ages: first seen, or "last (xN over first)", eventTime before firstTimestamp', () => {
  assert.equal(describeEventAge(event('A', -5_000, 1), NOW), '5s');
  assert.equal(describeEventAge(event('B', -5_000, 3, -120_000), NOW), '5s (x3 over 2m)');
  const seriesEvent: Event = {
    metadata: { name: 's' },
    involvedObject: {},
    eventTime: new Date(NOW - 600_000).toISOString().replace('Z', '000Z'),
    series: { count: 9, lastObservedTime: new Date(NOW - 61_000).toISOString().replace('Z', '000Z') },
  };
  assert.equal(describeEventAge(seriesEvent, NOW), '61s (x9 over 10m)');
  assert.equal(describeEventAge({ metadata: {}, involvedObject: {} }, NOW), '<unknown>');
});

test('the Events section: <none>, or a table sorted by last timestamp (ties keep their order)', () => {
  assert.equal(describeEvents([], NOW), 'Events:  <none>\n');
  const events = [
    event('BackOff', -5_000, 3, -120_000, { type: 'Warning' }),
    event('Pulled', -180_000, 1),
    event('Created', -180_000, 1),
    event('Started', -175_000, 1, -175_000, { message: '  padded message \n' }),
    event('Scheduled', -181_000, 1, -181_000, { source: {}, reportingComponent: 'default-scheduler' }),
  ];
  assert.deepEqual(
    sortEventsForDescribe(events).map((e) => e.reason),
    ['Scheduled', 'Pulled', 'Created', 'Started', 'BackOff'],
  );
  assert.equal(
    describeEvents(events, NOW),
    [
      'Events:',
      '  Type     Reason     Age              From               Message',
      '  ----     ------     ----             ----               -------',
      '  Normal   Scheduled  3m1s             default-scheduler  Scheduled message',
      '  Normal   Pulled     3m               kubelet            Pulled message',
      '  Normal   Created    3m               kubelet            Created message',
      '  Normal   Started    2m55s            kubelet            padded message',
      '  Warning  BackOff    5s (x3 over 2m)  kubelet            BackOff message',
      '',
    ].join('\n'),
  );
});

const minimalPod = (annotations: Record<string, string>): Pod => ({
  metadata: { name: 'p', namespace: 'default', annotations },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Pending' },
});

function annotationsSection(pod: Pod): string {
  const text = describePod(pod, undefined, NOW, { timeZone: 'UTC' });
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Annotations:'));
  const end = lines.findIndex((l) => l.startsWith('Status:'));
  return lines.slice(start, end).join('\n');
}

test('nodelet lifecycle and probe annotations print like any annotation: long or multi-line values go below the key', () => {
  const record = JSON.stringify({ hook: 'postStart', handler: 'exec', exitCode: 0, output: 'o'.repeat(200) });
  const section = annotationsSection(
    minimalPod({
      'lifecycle.nodelet.dev/app.postStart': record,
      'probe.nodelet.dev/app.liveness': 'Failure: connection refused\nSuccess: HTTP 200',
      'short.example/k': 'v',
    }),
  );
  assert.equal(
    section,
    [
      'Annotations:  lifecycle.nodelet.dev/app.postStart:',
      `                ${record.slice(0, 138)}...`,
      '              probe.nodelet.dev/app.liveness:',
      '                Failure: connection refused',
      '                Success: HTTP 200',
      '              short.example/k: v',
    ].join('\n'),
  );
});

test('annotation length is counted in bytes, with a trailing newline dropped; last-applied is hidden', () => {
  const key = 'k';
  const fits = 'a'.repeat(140 - key.length - 2);
  assert.equal(annotationsSection(minimalPod({ [key]: fits })), `Annotations:  k: ${fits}`);
  assert.equal(annotationsSection(minimalPod({ [key]: `${fits}\n` })), `Annotations:  k: ${fits}`);
  // Each "é" is two bytes: 69 of them make the line 141 bytes long.
  const wide = 'é'.repeat(69);
  assert.equal(annotationsSection(minimalPod({ [key]: wide })), `Annotations:  k:\n                ${wide}`);
  assert.equal(
    annotationsSection(minimalPod({ 'kubectl.kubernetes.io/last-applied-configuration': '{}' })),
    'Annotations:  <none>',
  );
});

test('times are RFC1123Z in the chosen zone; local follows TZ like kubectl', () => {
  assert.equal(formatRfc1123z('2025-01-15T12:00:00Z', 'UTC'), 'Wed, 15 Jan 2025 12:00:00 +0000');
  const previous = process.env['TZ'];
  try {
    process.env['TZ'] = 'Asia/Kolkata';
    assert.equal(formatRfc1123z('2025-01-15T12:00:00Z', 'local'), 'Wed, 15 Jan 2025 17:30:00 +0530');
    process.env['TZ'] = 'America/New_York';
    assert.equal(formatRfc1123z('2025-07-04T03:00:00Z', 'local'), 'Thu, 03 Jul 2025 23:00:00 -0400');
  } finally {
    if (previous === undefined) delete process.env['TZ'];
    else process.env['TZ'] = previous;
  }
});

test('describe without events leaves the Events section out; a pod without a node says <none>', () => {
  const text = describePod(minimalPod({}), undefined, NOW, { timeZone: 'UTC' });
  assert.equal(text.includes('Events:'), false);
  assert.match(text, /^Node:\s+<none>$/m);
  assert.match(describePod(minimalPod({}), [], NOW), /^Events:\s+<none>\n$/m);
});

test('describeExtras regroups nodelet hook and probe records per container, in spec and lifecycle order', () => {
  const pod: Pod = {
    metadata: {
      name: 'p',
      annotations: {
        'probe.nodelet.dev/app.readiness':
          'failure at 2025-01-15T11:59:50Z after 3ms: HTTP probe failed with statuscode: 503',
        'lifecycle.nodelet.dev/app.postStart':
          'succeeded at 2025-01-15T11:58:00Z after 12ms (exec, exit 0): ready',
        'probe.nodelet.dev/app.liveness': 'success at 2025-01-15T11:58:10Z after 1ms',
        'lifecycle.nodelet.dev/setup-with-a-long-name.preStop':
          'failed at 2025-01-15T11:59:00Z after 5ms (httpGet, connection refused)\nsecond line',
        'example.com/other': 'ignored',
      },
    },
    spec: {
      initContainers: [{ name: 'setup-with-a-long-name-that-was-cut' }],
      containers: [{ name: 'app' }],
    },
  };
  const section = [
    'Hooks and Probes:',
    '  setup-with-a-long-name:',
    // Each container's lines align on their own: the container name line ends the block.
    '    preStop:  failed at 2025-01-15T11:59:00Z after 5ms (httpGet, connection refused)',
    '              second line',
    '  app:',
    '    postStart:  succeeded at 2025-01-15T11:58:00Z after 12ms (exec, exit 0): ready',
    '    liveness:   success at 2025-01-15T11:58:10Z after 1ms',
    '    readiness:  failure at 2025-01-15T11:59:50Z after 3ms: HTTP probe failed with statuscode: 503',
    '',
  ].join('\n');
  assert.equal(describeExtras(pod), section);
  assert.equal(describeExtras({ metadata: { annotations: { a: 'b' } } }), '');
  const withExtras = describePod(pod, [], NOW, { timeZone: 'UTC', extras: true });
  assert.ok(withExtras.includes(`${section}Events:  <none>\n`), withExtras);
  assert.equal(describePod(pod, [], NOW, { timeZone: 'UTC' }).includes('Hooks and Probes:'), false);
});
