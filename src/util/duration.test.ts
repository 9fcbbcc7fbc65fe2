import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DurationParseError,
  goDuration,
  humanDuration,
  parseDuration,
  shortHumanDuration,
} from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

test('goDuration matches Go time.Duration.String()', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [0.000001, '1ns'],
    [0.0015, '1.5µs'],
    [0.5, '500µs'],
    [1, '1ms'],
    [300, '300ms'],
    [1.5, '1.5ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1387, '1.387s'],
    [10 * S, '10s'],
    [59.999999999 * S, '59.999999999s'],
    [M, '1m0s'],
    [5 * M, '5m0s'],
    [90 * S, '1m30s'],
    [5 * M + 0.5 * S, '5m0.5s'],
    [H, '1h0m0s'],
    [2 * H, '2h0m0s'],
    [2 * H + 45 * M + 3 * S, '2h45m3s'],
    [300 * S, '5m0s'],
    [-1500, '-1.5s'],
    [-300, '-300ms'],
    [100 * H, '100h0m0s'],
  ];
  for (const [ms, want] of cases) assert.equal(goDuration(ms), want, `goDuration(${ms})`);
});

test('humanDuration matches apimachinery HumanDuration including every threshold', () => {
  const cases: Array<[number, string]> = [
    [-2 * S, '<invalid>'],
    [-1999, '0s'], // int(-1.999) == -1: tolerated skew
    [-1 * S, '0s'],
    [-500, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * S, '5s'],
    [59 * S, '59s'],
    [60 * S, '60s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 1 * S, '2m1s'],
    [4 * M + 34 * S, '4m34s'],
    [5 * M + 51 * S, '5m51s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 59 * S, '10m'],
    [179 * M + 59 * S, '179m'],
    [3 * H, '3h'],
    [3 * H + 1 * M, '3h1m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [47 * H + 59 * M, '47h'],
    [48 * H, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 23 * H, '8d'],
    [45 * D, '45d'],
    [729 * D + 23 * H, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 1 * D, '2y1d'],
    [7 * Y + 364 * D, '7y364d'],
    [8 * Y, '8y'],
    [8 * Y + 100 * D, '8y'],
    [20 * Y, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('shortHumanDuration matches apimachinery ShortHumanDuration', () => {
  const cases: Array<[number, string]> = [
    [-2 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [60 * S, '1m'],
    [59 * M + 59 * S, '59m'],
    [H, '1h'],
    [23 * H + 59 * M, '23h'],
    [D, '1d'],
    [364 * D, '364d'],
    [Y, '1y'],
    [3 * Y + 200 * D, '3y'],
  ];
  for (const [ms, want] of cases) assert.equal(shortHumanDuration(ms), want, `shortHumanDuration(${ms})`);
});

test('parseDuration reads Go duration syntax', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['-0', 0],
    ['5s', 5 * S],
    ['+5s', 5 * S],
    ['1m30s', 90 * S],
    ['500ms', 500],
    ['2h', 2 * H],
    ['1.5h', 90 * M],
    ['.5s', 500],
    ['1.s', 1000],
    ['-1.5s', -1500],
    ['300us', 0.3],
    ['300µs', 0.3],
    ['300μs', 0.3],
    ['1500ns', 0.0015],
    ['2h45m30.5s', 2 * H + 45 * M + 30.5 * S],
    ['0s', 0],
    ['1h0m0s', H],
  ];
  for (const [text, want] of cases) assert.equal(parseDuration(text), want, `parseDuration(${text})`);
});

test('parseDuration rejects what Go rejects, with Go error text', () => {
  const cases: Array<[string, string]> = [
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1m30', 'time: missing unit in duration "1m30"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['3 s', 'time: unknown unit " s" in duration "3 s"'],
    ['9999999999999999999h', 'time: invalid duration "9999999999999999999h"'],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseDuration(text),
      (err: unknown) => {
        assert.ok(err instanceof DurationParseError);
        assert.equal(err.message, message);
        return true;
      },
    );
  }
});

test('goDuration and parseDuration round-trip', () => {
  for (const ms of [0, 1, 300, 1387, 10 * S, 5 * M, 90 * S, 2 * H + 1 * S, 0.001]) {
    assert.equal(parseDuration(goDuration(ms)), ms);
  }
});
