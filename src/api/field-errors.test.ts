import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateMessage,
  duplicate,
  FieldError,
  FieldPath,
  forbidden,
  formatBadValue,
  goNumber,
  goQuote,
  internalError,
  invalid,
  notFound,
  notSupported,
  OMIT_VALUE,
  required,
  StringerValue,
  tooLong,
  tooMany,
  typeInvalid,
} from './field-errors.ts';

describe('FieldPath', () => {
  const cases: [FieldPath, string][] = [
    [FieldPath.of('metadata', 'name'), 'metadata.name'],
    [FieldPath.of('spec').child('containers').index(0).child('name'), 'spec.containers[0].name'],
    [
      FieldPath.of('metadata').child('labels').key('app.kubernetes.io/name'),
      'metadata.labels[app.kubernetes.io/name]',
    ],
    [FieldPath.of('spec').child('a', 'b', 'c'), 'spec.a.b.c'],
    [FieldPath.of(''), '[]'],
    [FieldPath.of('x').index(2).index(3), 'x[2][3]'],
  ];
  for (const [path, want] of cases) {
    it(`prints ${want}`, () => assert.equal(path.toString(), want));
  }
});

describe('FieldError text', () => {
  const p = FieldPath.of('spec').child('containers').index(1).child('name');
  const cases: [FieldError, string][] = [
    [required(FieldPath.of('spec', 'containers')), 'spec.containers: Required value'],
    [
      required(FieldPath.of('metadata', 'name'), 'name or generateName is required'),
      'metadata.name: Required value: name or generateName is required',
    ],
    [duplicate(p, 'app'), 'spec.containers[1].name: Duplicate value: "app"'],
    [
      notSupported(FieldPath.of('spec', 'restartPolicy'), 'Sometimes', ['Always', 'OnFailure', 'Never']),
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
    [invalid(FieldPath.of('spec', 'x'), 2, 'must be 1'), 'spec.x: Invalid value: 2: must be 1'],
    [invalid(FieldPath.of('spec', 'x'), true, 'nope'), 'spec.x: Invalid value: true: nope'],
    [invalid(FieldPath.of('spec', 'x'), null, 'gone'), 'spec.x: Invalid value: "null": gone'],
    [invalid(FieldPath.of('spec', 'x'), { a: 1 }, 'obj'), 'spec.x: Invalid value: {"a":1}: obj'],
    [
      invalid(
        FieldPath.of('spec', 'x'),
        new StringerValue('2025-01-02 03:04:05 +0000 UTC'),
        'field is immutable',
      ),
      'spec.x: Invalid value: 2025-01-02 03:04:05 +0000 UTC: field is immutable',
    ],
    [
      typeInvalid(FieldPath.of('spec', 'x'), 'str', 'must be int'),
      'spec.x: Invalid value: "str": must be int',
    ],
    [forbidden(FieldPath.of('spec', 'x'), 'may not be set'), 'spec.x: Forbidden: may not be set'],
    [notFound(FieldPath.of('spec', 'v'), 'data'), 'spec.v: Not found: "data"'],
    [
      tooLong(FieldPath.of('metadata', 'annotations'), 262144),
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ],
    [tooMany(FieldPath.of('spec', 'l'), 5, 3), 'spec.l: Too many: 5: must have at most 3 items'],
    [tooMany(FieldPath.of('spec', 'l'), -1, 3), 'spec.l: Too many: must have at most 3 items'],
    [internalError(FieldPath.of('spec'), 'boom'), 'spec: Internal error: boom'],
    [new FieldError('FieldValueInvalid', 'a.b', OMIT_VALUE, 'hidden'), 'a.b: Invalid value: hidden'],
  ];
  for (const [err, want] of cases) {
    it(want, () => assert.equal(err.toString(), want));
  }

  it('keeps the type as the cause reason and the body without the field', () => {
    const e = required(FieldPath.of('spec', 'containers').index(0).child('image'));
    assert.equal(e.type, 'FieldValueRequired');
    assert.equal(e.field, 'spec.containers[0].image');
    assert.equal(e.body(), 'Required value');
  });
});

describe('Go value printing', () => {
  it('quotes like strconv.Quote', () => {
    assert.equal(goQuote('plain'), '"plain"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('tab\there\nnl'), '"tab\\there\\nnl"');
    assert.equal(goQuote('\x01\x7f'), '"\\x01\\x7f"');
    assert.equal(goQuote('héllo ✓'), '"héllo ✓"');
    assert.equal(goQuote('\u200b'), '"\\u200b"');
  });

  it('prints numbers like %v', () => {
    assert.equal(goNumber(42), '42');
    assert.equal(goNumber(-7), '-7');
    assert.equal(goNumber(1.5), '1.5');
    assert.equal(goNumber(1e-7), '1e-07');
    assert.equal(goNumber(1e21), '1e+21');
  });

  it('prints bad values by kind', () => {
    assert.equal(formatBadValue('x'), '"x"');
    assert.equal(formatBadValue(undefined), '"null"');
    assert.equal(formatBadValue([1, 'a']), '[1,"a"]');
    assert.equal(formatBadValue(10n), '10');
  });
});

describe('aggregateMessage', () => {
  const a = required(FieldPath.of('a'));
  const b = required(FieldPath.of('b'));
  it('is bare for one error', () => assert.equal(aggregateMessage([a]), 'a: Required value'));
  it('brackets several and drops duplicates', () =>
    assert.equal(
      aggregateMessage([a, b, required(FieldPath.of('a'))]),
      '[a: Required value, b: Required value]',
    ));
  it('is empty for none', () => assert.equal(aggregateMessage([]), ''));
});
