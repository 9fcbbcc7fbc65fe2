import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, parseQuantity, QuantityParseError, scaledValue } from './quantity.ts';

test('quantities print as resource.Quantity.String() does', () => {
  const cases: Array<[string, string]> = [
    ['0', '0'],
    ['500m', '500m'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['0.1', '100m'],
    ['1.0', '1'],
    ['1000m', '1'],
    ['2000', '2k'],
    ['1024', '1024'],
    ['100Mi', '100Mi'],
    ['1024Mi', '1Gi'],
    ['8Mi', '8Mi'],
    ['512Ki', '512Ki'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1e3', '1e3'],
    ['12e2', '1200'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
    ['-500m', '-500m'],
    ['+1', '+1'],
    ['01', '01'],
    ['1G', '1G'],
    ['1000k', '1M'],
    ['1Ki', '1Ki'],
    ['0.5Ki', '512'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
});

test('unparseable quantities are shown as written', () => {
  assert.equal(canonicalQuantity('lots'), 'lots');
  assert.throws(() => parseQuantity(''), QuantityParseError);
  assert.throws(() => parseQuantity('1Q'), QuantityParseError);
});

test('scaled values round up like Quantity.ScaledValue', () => {
  assert.equal(scaledValue(parseQuantity('1.5'), -3), 1500n);
  assert.equal(scaledValue(parseQuantity('1m'), 0), 1n);
  assert.equal(scaledValue(parseQuantity('1Mi'), 0), 1048576n);
  assert.equal(parseQuantity('1.5Gi').nanos, 1610612736n * 1_000_000_000n);
});
