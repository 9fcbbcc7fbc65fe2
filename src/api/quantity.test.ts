import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ERR_FORMAT_WRONG,
  ERR_SUFFIX,
  numberToJSON,
  parseQuantity,
  quantityFromJSON,
  QuantityError,
} from './quantity.ts';

describe('parseQuantity canonical form (Quantity.String)', () => {
  // [input, canonical, format, milli-value]
  const cases: [string, string, string, bigint][] = [
    ['0', '0', 'DecimalSI', 0n],
    ['128Mi', '128Mi', 'BinarySI', 134217728000n],
    ['1024Mi', '1Gi', 'BinarySI', 1073741824000n],
    ['1.5Gi', '1536Mi', 'BinarySI', 1610612736000n],
    ['0.5Ki', '512', 'BinarySI', 512000n],
    ['8Ki', '8Ki', 'BinarySI', 8192000n],
    ['500m', '500m', 'DecimalSI', 500n],
    ['0.5', '500m', 'DecimalSI', 500n],
    ['1000m', '1', 'DecimalSI', 1000n],
    ['1500m', '1500m', 'DecimalSI', 1500n],
    ['0.1', '100m', 'DecimalSI', 100n],
    ['1000', '1k', 'DecimalSI', 1000000n],
    ['2000', '2k', 'DecimalSI', 2000000n],
    ['100', '100', 'DecimalSI', 100000n],
    ['129M', '129M', 'DecimalSI', 129000000000n],
    ['1e3', '1e3', 'DecimalExponent', 1000000n],
    ['1E3', '1E3', 'DecimalExponent', 1000000n],
    ['1.5e3', '1500', 'DecimalExponent', 1500000n],
    ['12e-1', '1200e-3', 'DecimalExponent', 1200n],
    ['-0.5', '-500m', 'DecimalSI', -500n],
    ['1n', '1n', 'DecimalSI', 1n],
    // More precision than nano is rounded up.
    ['0.0000000001', '1n', 'DecimalSI', 1n],
    // The input is kept as written when ParseQuantity's fast path says so.
    ['01', '01', 'DecimalSI', 1000n],
    ['+1', '+1', 'DecimalSI', 1000n],
    ['1.', '1.', 'DecimalSI', 1000n],
  ];
  for (const [input, want, format, milli] of cases) {
    it(`${input} → ${want}`, () => {
      const q = parseQuantity(input);
      assert.equal(q.toString(), want);
      assert.equal(q.format, format);
      assert.equal(q.milliValue(), milli);
    });
  }
});

describe('parseQuantity errors', () => {
  const cases: [string, string][] = [
    ['', ERR_FORMAT_WRONG],
    ['abc', ERR_FORMAT_WRONG],
    ['1.2.3', ERR_FORMAT_WRONG],
    ['1Gb', ERR_FORMAT_WRONG],
    ['1ki', ERR_SUFFIX],
    ['1e', ERR_SUFFIX],
    ['5mi', ERR_SUFFIX],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () =>
      assert.throws(
        () => parseQuantity(input),
        (e: unknown) => e instanceof QuantityError && e.message === want,
      ),
    );
  }
  it('words the format error as the API server does', () => {
    assert.equal(
      ERR_FORMAT_WRONG,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });
});

describe('comparison and arithmetic', () => {
  it('compares exactly across formats', () => {
    assert.equal(parseQuantity('1Gi').cmp(parseQuantity('1024Mi')), 0);
    assert.equal(parseQuantity('1G').cmp(parseQuantity('1Gi')), -1);
    assert.equal(parseQuantity('500m').cmp(parseQuantity('0.5')), 0);
    assert.equal(parseQuantity('2').cmp(parseQuantity('1999m')), 1);
    assert.equal(parseQuantity('1e3').cmp(parseQuantity('1k')), 0);
  });
  it('adds', () => {
    assert.equal(parseQuantity('250m').add(parseQuantity('750m')).cmp(parseQuantity('1')), 0);
  });
  it('rounds values up', () => {
    assert.equal(parseQuantity('1500m').value(), 2n);
    assert.equal(parseQuantity('-1500m').value(), -2n);
    assert.equal(parseQuantity('1n').milliValue(), 1n);
  });
});

describe('quantities from JSON', () => {
  it('accepts numbers as Quantity.UnmarshalJSON does', () => {
    assert.equal(quantityFromJSON(1).toString(), '1');
    assert.equal(quantityFromJSON(0.25).toString(), '250m');
    assert.equal(quantityFromJSON(' 1Gi ').toString(), '1Gi');
  });
  it('rejects booleans and objects with the format error', () => {
    assert.throws(() => quantityFromJSON(true), { message: ERR_FORMAT_WRONG });
    assert.throws(() => quantityFromJSON({}), { message: ERR_FORMAT_WRONG });
  });
  it('prints numbers as encoding/json does', () => {
    assert.equal(numberToJSON(1000), '1000');
    assert.equal(numberToJSON(1e21), '1e+21');
    assert.equal(numberToJSON(1e-7), '1e-7');
    assert.equal(numberToJSON(0.5), '0.5');
  });
});
