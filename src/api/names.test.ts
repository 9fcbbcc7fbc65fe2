import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isHTTPHeaderName,
  isIP,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  maskTrailingDash,
  nameIsDNSSubdomain,
  regexError,
} from './names.ts';

const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const qualifiedPart =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function table(name: string, fn: (v: string) => string[], cases: [string, string[]][]): void {
  describe(name, () => {
    for (const [value, want] of cases) {
      it(JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value), () =>
        assert.deepEqual(fn(value), want),
      );
    }
  });
}

table('isDNS1123Label', isDNS1123Label, [
  ['app', []],
  ['a-1', []],
  ['1a', []],
  ['App', [labelMsg]],
  ['-a', [labelMsg]],
  ['a.b', ['must not contain dots']],
  ['', [labelMsg]],
  ['a'.repeat(63), []],
  ['a'.repeat(64), ['must be no more than 63 characters']],
]);

table('isDNS1123Subdomain', isDNS1123Subdomain, [
  ['example.com', []],
  ['web-1', []],
  ['Bad_Name', [subdomainMsg]],
  ['a..b', [subdomainMsg]],
  ['a'.repeat(254), ['must be no more than 253 characters']],
]);

table('isDNS1035Label', isDNS1035Label, [
  ['svc', []],
  [
    '1svc',
    [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  ],
]);

table('isQualifiedName', isQualifiedName, [
  ['app', []],
  ['app.kubernetes.io/name', []],
  ['My_Name.x', []],
  ['a b', [`name part ${qualifiedPart}`]],
  ['/x', ['prefix part must be non-empty']],
  ['x/', ['name part must be non-empty', `name part ${qualifiedPart}`]],
  ['Example.com/x', [`prefix part ${subdomainMsg}`]],
  [
    'a/b/c',
    [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  ],
  ['a'.repeat(64), ['name part must be no more than 63 characters']],
]);

table('isValidLabelValue', isValidLabelValue, [
  ['', []],
  ['v1.2_x-y', []],
  [
    '-bad',
    [
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  ],
]);

table('isValidPortName', isValidPortName, [
  ['http', []],
  ['web-8080', []],
  ['8080', ['must contain at least one letter (a-z)']],
  [
    'HTTP',
    [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ],
  ],
  ['a--b', ['must not contain consecutive hyphens']],
  ['-ab', ['must not begin or end with a hyphen']],
  ['abcdefghijklmnop', ['must be no more than 15 characters']],
]);

table('isEnvVarName (strict)', isEnvVarName, [
  ['MY_VAR', []],
  ['my.env-name', []],
  [
    '1A',
    [
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ],
  ],
  ['..x', ["must not start with '..'"]],
]);

table('isRelaxedEnvVarName', isRelaxedEnvVarName, [
  ['1A', []],
  ['with space', []],
  [
    'A=B',
    ["a valid environment variable name must consist only of printable ASCII characters other than '='"],
  ],
  ['é', ["a valid environment variable name must consist only of printable ASCII characters other than '='"]],
  ['', ['environment variable name must be non-empty']],
]);

table('isConfigMapKey', isConfigMapKey, [
  ['key.name', []],
  ['..', ["must not be '..'"]],
  [
    'a/b',
    [
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ],
  ],
]);

table('isHTTPHeaderName', isHTTPHeaderName, [
  ['X-Header', []],
  [
    'bad header',
    [
      "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
    ],
  ],
]);

describe('other rules', () => {
  it('checks port numbers', () => {
    assert.deepEqual(isValidPortNum(1), []);
    assert.deepEqual(isValidPortNum(65535), []);
    assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
    assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
  });
  it('masks the trailing dash of a generateName', () => {
    assert.equal(maskTrailingDash('web-'), 'wea');
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.equal(nameIsDNSSubdomain('web-', false).length, 1);
  });
  it('formats regex errors without examples', () => {
    assert.equal(regexError('msg', 'fmt'), "msg (regex used for validation is 'fmt')");
  });
  it('recognises IP addresses', () => {
    for (const ip of ['10.0.0.1', '::1', '2001:db8::ffff', 'fe80::1:2:3:4', '::ffff:10.0.0.1'])
      assert.ok(isIP(ip), ip);
    for (const ip of ['10.0.0.256', 'abc', '1.2.3', '1::2::3', '']) assert.ok(!isIP(ip), ip);
  });
});
