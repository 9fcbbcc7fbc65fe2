import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector, parseLabelSelector, selectedName } from './selectors.ts';
import { ApiError } from './status.ts';

const labels = { app: 'web', tier: 'front', n: '5' };

describe('label selectors', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['tier in (front,back)', true],
    ['tier in (back)', false],
    ['tier notin (back)', true],
    ['missing notin (back)', true],
    ['missing in (back)', false],
    ['app=web,tier=front', true],
    ['app=web, tier=back', false],
    ['n>3', true],
    ['n<3', false],
    ['app=', false],
  ];
  for (const [sel, want] of cases) {
    test(`"${sel}" ${want ? 'matches' : 'does not match'}`, () => {
      assert.equal(parseLabelSelector(sel).matches(labels), want);
    });
  }

  test('syntax errors are 400 BadRequest worded as the server words them', () => {
    for (const [sel, msg] of [
      ['app web', "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"],
      ['tier in front', "unable to parse requirement: found 'front', expected: '('"],
      ['=x', "unable to parse requirement: found '=', expected: !, identifier, or 'end of string'"],
    ] as const) {
      assert.throws(
        () => parseLabelSelector(sel),
        (err: unknown) => err instanceof ApiError && err.code === 400 && err.status.message === msg,
        sel,
      );
    }
  });
});

describe('field selectors', () => {
  const fields = { 'metadata.name': 'web', 'status.phase': 'Running' };
  const supported = ['metadata.name', 'metadata.namespace', 'status.phase'];

  test('=, == and != with comma as AND', () => {
    assert.equal(parseFieldSelector('metadata.name=web', supported).matches(fields), true);
    assert.equal(
      parseFieldSelector('metadata.name==web,status.phase=Running', supported).matches(fields),
      true,
    );
    assert.equal(parseFieldSelector('status.phase!=Running', supported).matches(fields), false);
    assert.equal(parseFieldSelector('metadata.namespace=', supported).matches(fields), true);
    assert.equal(parseFieldSelector('', supported).empty, true);
  });

  test('escaped commas and equals signs belong to the value', () => {
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c', supported);
    assert.deepEqual(sel.requirements, [{ field: 'metadata.name', operator: '=', value: 'a,b=c' }]);
  });

  test('an unknown field is 400 "field label not supported"', () => {
    assert.throws(
      () => parseFieldSelector('spec.foo=bar', supported),
      (err: unknown) =>
        err instanceof ApiError && err.status.message === 'field label not supported: spec.foo',
    );
    assert.throws(
      () => parseFieldSelector('nonsense', supported),
      (err: unknown) =>
        err instanceof ApiError &&
        err.status.message === "invalid selector: 'nonsense'; can't understand 'nonsense'",
    );
  });

  test('selectedName finds a metadata.name pin', () => {
    assert.equal(selectedName(parseFieldSelector('metadata.name=web', supported)), 'web');
    assert.equal(selectedName(parseFieldSelector('metadata.name!=web', supported)), undefined);
  });
});
