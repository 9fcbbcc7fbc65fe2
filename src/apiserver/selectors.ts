// Label and field selectors with the API server's grammar (apimachinery pkg/labels/selector.go and
// pkg/fields/selector.go). Parse errors become 400 BadRequest with the server's wording.
import { badRequest } from './status.ts';

export type Labels = Record<string, string | undefined>;

type Operator = 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export interface LabelSelector {
  requirements: Requirement[];
  matches(labels: Labels | undefined): boolean;
  empty: boolean;
}

type Token =
  | { kind: 'id'; text: string }
  | { kind: 'op'; text: '=' | '==' | '!=' | '!' | ',' | '(' | ')' | '>' | '<' }
  | { kind: 'end' };

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const special = new Set(['=', '!', ',', '(', ')', '>', '<', ' ', '\t', '\n']);
  while (i < input.length) {
    const c = input[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      out.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if (c === '=' || c === '!' || c === ',' || c === '(' || c === ')' || c === '>' || c === '<') {
      out.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !special.has(input[j] ?? '')) j++;
    out.push({ kind: 'id', text: input.slice(i, j) });
    i = j;
  }
  out.push({ kind: 'end' });
  return out;
}

const tokenText = (t: Token | undefined): string => (!t || t.kind === 'end' ? '' : t.text);

function requirementError(detail: string): Error {
  return badRequest(`unable to parse requirement: ${detail}`);
}

/** Parses a label selector as `?labelSelector=`; throws ApiError 400 on a syntax error. */
export function parseLabelSelector(input: string | null | undefined): LabelSelector {
  const requirements: Requirement[] = [];
  const text = (input ?? '').trim();
  if (text !== '') {
    const tokens = tokenize(text);
    let pos = 0;
    const peek = (): Token => tokens[pos] ?? { kind: 'end' };
    const next = (): Token => tokens[pos++] ?? { kind: 'end' };
    for (;;) {
      let t = next();
      if (t.kind === 'op' && t.text === '!') {
        t = next();
        if (t.kind !== 'id') throw requirementError(`found '${tokenText(t)}', expected: identifier`);
        requirements.push({ key: t.text, operator: 'notexists', values: [] });
      } else if (t.kind === 'id') {
        const key = t.text;
        const op = peek();
        if (op.kind === 'end' || (op.kind === 'op' && op.text === ',')) {
          requirements.push({ key, operator: 'exists', values: [] });
        } else if (op.kind === 'op' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
          pos++;
          const v = peek();
          let value = '';
          if (v.kind === 'id') {
            value = v.text;
            pos++;
          } else if (!(v.kind === 'end' || (v.kind === 'op' && v.text === ','))) {
            throw requirementError(`found '${tokenText(v)}', expected: identifier`);
          }
          requirements.push({ key, operator: op.text === '!=' ? '!=' : '=', values: [value] });
        } else if (op.kind === 'op' && (op.text === '>' || op.text === '<')) {
          pos++;
          const v = next();
          if (v.kind !== 'id' || !/^-?\d+$/.test(v.text)) {
            throw requirementError(`for 'Gt', 'Lt' operators, the value must be an integer`);
          }
          requirements.push({ key, operator: op.text === '>' ? 'gt' : 'lt', values: [v.text] });
        } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
          pos++;
          const open = next();
          if (!(open.kind === 'op' && open.text === '(')) {
            throw requirementError(`found '${tokenText(open)}', expected: '('`);
          }
          const values: string[] = [];
          for (;;) {
            const v = next();
            if (v.kind === 'id') {
              values.push(v.text);
              const sep = next();
              if (sep.kind === 'op' && sep.text === ')') break;
              if (!(sep.kind === 'op' && sep.text === ',')) {
                throw requirementError(`found '${tokenText(sep)}', expected: ',' or ')'`);
              }
            } else if (v.kind === 'op' && v.text === ')') {
              break;
            } else {
              throw requirementError(`found '${tokenText(v)}', expected: ',', ')' or identifier`);
            }
          }
          requirements.push({ key, operator: op.text, values });
        } else {
          throw requirementError(`found '${tokenText(op)}', expected: in, notin, =, ==, !=, gt, lt`);
        }
      } else {
        throw requirementError(`found '${tokenText(t)}', expected: !, identifier, or 'end of string'`);
      }
      const sep = next();
      if (sep.kind === 'end') break;
      if (!(sep.kind === 'op' && sep.text === ',')) {
        throw requirementError(`found '${tokenText(sep)}', expected: ',' or 'end of string'`);
      }
    }
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((r) => matchRequirement(r, labels ?? {})),
  };
}

function matchRequirement(r: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key) && labels[r.key] !== undefined;
  const value = labels[r.key] ?? '';
  switch (r.operator) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case '=':
      return has && value === r.values[0];
    case '!=':
      return !has || value !== r.values[0];
    case 'in':
      return has && r.values.includes(value);
    case 'notin':
      return !has || !r.values.includes(value);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value)) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
  matches(fields: Record<string, string>): boolean;
  empty: boolean;
}

/** Splits on an unescaped separator (field selector values escape `\`, `,` and `=`). */
function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[i + 1] ?? '');
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/**
 * Parses `?fieldSelector=` and checks each field against the resource's selectable fields
 * (400 `field label not supported: <f>` otherwise, as the server's field label conversion says).
 */
export function parseFieldSelector(
  input: string | null | undefined,
  supported: readonly string[],
): FieldSelector {
  const requirements: FieldRequirement[] = [];
  const text = (input ?? '').trim();
  if (text !== '') {
    for (const term of splitUnescaped(text, ',')) {
      if (term === '') continue;
      const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
      if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const field = (m[1] ?? '').trim();
      const op = m[2] === '!=' ? '!=' : '=';
      if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
      requirements.push({ field, operator: op, value: unescapeValue(m[3] ?? '') });
    }
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (fields) =>
      requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '=')),
  };
}

/** The one name a `metadata.name=x` selector pins, so a list can be answered from a single get. */
export function selectedName(selector: FieldSelector): string | undefined {
  return selector.requirements.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value;
}
