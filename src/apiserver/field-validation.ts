// Server-side field validation (the fieldValidation query parameter, GA in 1.27): unknown and
// duplicate fields are dropped (Ignore), reported in Warning headers (Warn, the default), or
// rejected with 400 BadRequest (Strict), worded as the server's strict decoder words them.
import { badRequest } from './status.ts';
import {
  decodeError,
  hasSchema,
  strictDecodingMessage,
  strictProblems,
  unknownFields,
} from './api-adapter.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationParam(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${v}"`);
}

/** Paths of object keys that appear twice in a JSON text, e.g. `metadata.name`. */
export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    // text[i] is the opening quote; JSON.parse handles escapes once the end is found.
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        const child = path ? `${path}.${key}` : key;
        if (seen.has(key)) out.push(child);
        seen.add(key);
        ws();
        i++; // ':'
        value(child);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // '}'
        return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // ']'
        return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[,}\]\s]/.test(text[i] ?? '')) i++;
    }
  };
  try {
    value('');
  } catch {
    // Malformed JSON is reported by the real parser; nothing to add here.
  }
  return out;
}

/** Removes the fields named by paths like `spec.containers[0].foo`, as a lenient decoder drops them. */
export function dropFields(obj: unknown, paths: readonly string[]): void {
  for (const path of paths) {
    const tokens = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
    let cur: unknown = obj;
    for (let t = 0; t < tokens.length - 1 && cur !== undefined; t++) {
      const tok = tokens[t] ?? '';
      if (tok.startsWith('[')) cur = Array.isArray(cur) ? cur[Number(tok.slice(1, -1))] : undefined;
      else cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[tok] : undefined;
    }
    const last = tokens[tokens.length - 1];
    if (last && !last.startsWith('[') && typeof cur === 'object' && cur !== null && !Array.isArray(cur)) {
      delete (cur as Record<string, unknown>)[last];
    }
  }
}

/**
 * Checks a decoded body against the kind's schema, as the server's decoder does: a JSON type error
 * is always 400; unknown fields are dropped from obj; under Strict an unknown or duplicate field
 * throws 400 with `prefix` + `strict decoding error: …`; under Warn the problems are returned for
 * the Warning header.
 */
export function validateFields(
  obj: Record<string, unknown>,
  raw: string | undefined,
  kind: string,
  directive: FieldValidation,
  prefix = '',
): string[] {
  if (!hasSchema(kind)) return [];
  const typeError = decodeError(obj, kind);
  if (typeError) throw badRequest(`${prefix}${typeError.message}`);
  const unknown = unknownFields(obj, kind);
  const problems = strictProblems(unknown, raw !== undefined ? duplicateFields(raw) : []);
  dropFields(obj, unknown);
  if (problems.length === 0 || directive === 'Ignore') return [];
  if (directive === 'Strict') throw badRequest(`${prefix}${strictDecodingMessage(problems)}`);
  return problems;
}
