import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL_TABLE_TABWRITER, TabWriter } from './tabwriter.ts';

const describeLike = { minWidth: 0, tabWidth: 8, padding: 2 };

function format(text: string, options = describeLike): string {
  const w = new TabWriter(options);
  w.write(text);
  return w.flush();
}

test('columns are aligned per block of consecutive lines that have the cell', () => {
  // "b" and "bbbbb" are both second cells, but "bbbbb" ends its line, so it is not in a column;
  // the line without a tab ("x") ends the block, so "long" starts a new one.
  assert.equal(format('a\tb\tc\naaa\tbbbbb\nx\nlong\tz\n'), 'a    b  c\naaa  bbbbb\nx\nlong  z\n');
});

test('the text after the last tab is never padded, empty cells are', () => {
  assert.equal(format('\tx\nabc\ty\n'), '     x\nabc  y\n');
  assert.equal(format('k:\t\nkey:\tvalue\n'), 'k:    \nkey:  value\n');
});

test('minwidth applies to every column; padding is added to the widest cell', () => {
  const kubectl = { ...KUBECTL_TABLE_TABWRITER, rememberWidths: false };
  assert.equal(format('IP\tX\n1\t2\n', kubectl), 'IP    X\n1     2\n');
  assert.equal(format('LONGER\tX\n', kubectl), 'LONGER   X\n');
});

test('widths count code points, not UTF-16 units or bytes', () => {
  assert.equal(format('é\tx\nab\ty\n'), 'é   x\nab  y\n');
  assert.equal(format('🙂\tx\nab\ty\n'), '🙂   x\nab  y\n');
});

test('a form feed ends the line and flushes, so alignment restarts after it', () => {
  assert.equal(format('a\tb\fccc\td\n'), 'a  b\nccc  d\n');
});

test('text may arrive in any chunks', () => {
  const w = new TabWriter(describeLike);
  for (const ch of 'Name:\tweb\nNamespace:\tdefault\n') w.write(ch);
  assert.equal(w.flush(), 'Name:       web\nNamespace:  default\n');
});

test('unterminated last line is written as is on flush', () => {
  assert.equal(format('a\tb\nc\td'), 'a  b\nc  d');
});

test('remembered widths: later flushes never shrink a column and grow it for wider cells', () => {
  const w = new TabWriter(KUBECTL_TABLE_TABWRITER);
  w.write('NAME\tAGE\nab\t1s\n');
  assert.equal(w.flush(), 'NAME   AGE\nab     1s\n');
  w.write('abcdefgh\t2s\n');
  assert.equal(w.flush(), 'abcdefgh   2s\n');
  w.write('a\t3s\n');
  assert.equal(w.flush(), 'a          3s\n');
  assert.deepEqual(w.rememberedWidths(), [11]);
});

test('without remembered widths every flush starts over', () => {
  const w = new TabWriter(describeLike);
  w.write('abcdefgh\tx\n');
  w.flush();
  w.write('a\ty\n');
  assert.equal(w.flush(), 'a  y\n');
});
