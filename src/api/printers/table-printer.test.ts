import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Table, TableColumnDefinition } from './table.ts';
import { formatLabels, KubectlTablePrinter, printTable } from './table-printer.ts';

function col(name: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type: 'string', format, description: '', priority };
}

const columns = [col('Name', 0, 'name'), col('Status'), col('Node', 1)];

function table(
  rows: Table['rows'],
  cols: TableColumnDefinition[] | null = columns,
): Pick<Table, 'columnDefinitions' | 'rows'> {
  return { columnDefinitions: cols, rows };
}

test('headers are upper-cased and priority columns appear only with wide', () => {
  const t = table([{ cells: ['web', 'Running', 'node-1'] }]);
  assert.equal(printTable(t), 'NAME   STATUS\nweb    Running\n');
  assert.equal(printTable(t, { wide: true }), 'NAME   STATUS    NODE\nweb    Running   node-1\n');
  assert.equal(printTable(t, { noHeaders: true }), 'web   Running\n');
});

test('a table without rows prints nothing, not even its header', () => {
  assert.equal(printTable(table([])), '');
  assert.equal(printTable(table([]), { noHeaders: true }), '');
});

test('string cells stop at the first line break with "..."; ESC and CR are neutralised', () => {
  const t = table([{ cells: ['a\x1b[31m', 'two\nlines', ''] }, { cells: ['b', 'x\ry\fz', ''] }]);
  assert.equal(printTable(t), 'NAME      STATUS\na^[[31m   two...\nb         x...\n');
});

test('non-string cells print like fmt.Sprint; null cells are empty; extra cells are ignored', () => {
  const t = table(
    [{ cells: [7, true, null, 'extra'] }, { cells: [1.5, null, 'n'] }],
    [col('A'), col('B'), col('C')],
  );
  assert.equal(printTable(t), 'A     B      C\n7     true   \n1.5          n\n');
});

test('namespace, label columns and LABELS come from the row object; kind prefixes names', () => {
  const meta = (namespace: string, labels: Record<string, string>): unknown => ({
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { namespace, labels },
  });
  const t = table([
    { cells: ['web', 'Running', 'n1'], object: meta('default', { app: 'web', tier: 'front' }) },
    { cells: ['db', 'Pending', 'n1'], object: meta('data', {}) },
  ]);
  assert.equal(
    printTable(t, { withNamespace: true, showLabels: true, columnLabels: ['example.com/tier', 'app'] }),
    [
      'NAMESPACE   NAME   STATUS    TIER   APP   LABELS',
      'default     web    Running          web   app=web,tier=front',
      'data        db     Pending                <none>',
      '',
    ].join('\n'),
  );
  assert.equal(printTable(t, { kind: 'Pod' }), 'NAME      STATUS\npod/web   Running\npod/db    Pending\n');
});

test('rows without an object get empty extra cells, filled the way cli-runtime fills them', () => {
  const t = table([{ cells: ['web', 'Running', 'n1'], object: null }]);
  // Three extra cells are due (NAMESPACE, A, B), but the fill loop re-reads the row length, so the
  // row gets only NAMESPACE and one more: it ends before the A column.
  assert.equal(
    printTable(t, { withNamespace: true, columnLabels: ['a', 'b'] }),
    'NAMESPACE   NAME   STATUS    A     B\n            web    Running   \n',
  );
});

test('headers are printed once; tables without column definitions reuse the last ones', () => {
  const p = new KubectlTablePrinter();
  assert.equal(p.print(table([{ cells: ['web', 'Running', 'n1'] }])), 'NAME   STATUS\nweb    Running\n');
  assert.equal(p.print(table([{ cells: ['web', 'Terminating', 'n1'] }], null)), 'web    Terminating\n');
  assert.equal(p.print(table([{ cells: ['db', 'Running', 'n1'] }])), 'db     Running\n');
  // Different columns: a new header.
  assert.equal(p.print(table([{ cells: ['x'] }], [col('Other')])), 'OTHER\nx\n');
});

test('an empty first table prints nothing and the header comes with the first rows', () => {
  const p = new KubectlTablePrinter();
  assert.equal(p.print(table([])), '');
  assert.equal(p.print(table([{ cells: ['web', 'Running', 'n1'] }])), 'NAME   STATUS\nweb    Running\n');
});

test('watch events add an EVENT column with padded event types', () => {
  const p = new KubectlTablePrinter();
  assert.equal(
    p.print(table([{ cells: ['web', 'Running', 'n1'] }]), 'ADDED'),
    'EVENT      NAME   STATUS\nADDED      web    Running\n',
  );
  assert.equal(
    p.print(table([{ cells: ['web', 'Running', 'n1'] }], null), 'DELETED'),
    'DELETED    web    Running\n',
  );
});

test('formatLabels sorts keys and says <none> for no labels', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});
