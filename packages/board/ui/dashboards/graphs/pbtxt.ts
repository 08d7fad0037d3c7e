/**
 * A parser for protocol-buffer text format (what TensorBoard's `graphs/graph` route sends: Python's
 * `text_format.MessageToString` of a GraphDef), schema-less: every field becomes a list of its values, messages are
 * nested objects, strings are decoded from their C escapes as UTF-8 bytes, enums stay identifiers.
 */

/** A parsed message: field name → its values in order (a non-repeated field has one). */
export interface TextMessage {
  [field: string]: TextValue[];
}
export type TextValue = string | number | boolean | TextMessage;

const parseError = (seen: string, at: number, expected: string) =>
  new Error(`pbtxt: ${seen} at offset ${at}, expected ${expected}; is this a protobuf text-format message?`);

/** Parses a text-format message. @throws Error with the offset of the first thing it cannot read. */
export function parseTextProto(text: string): TextMessage {
  let pos = 0;
  const skip = () => {
    for (;;) {
      while (pos < text.length && /\s|,|;/.test(text[pos]!)) pos++;
      if (text[pos] !== '#') return;
      while (pos < text.length && text[pos] !== '\n') pos++;
    }
  };
  const identifier = (): string => {
    const m = /^[A-Za-z_][\w.]*|^\[[\w./]+\]/.exec(text.slice(pos, pos + 256));
    if (!m) throw parseError(JSON.stringify(text.slice(pos, pos + 12)), pos, 'a field name');
    pos += m[0].length;
    return m[0];
  };
  const string = (): string => {
    const bytes: number[] = [];
    while (text[pos] === '"' || text[pos] === "'") {
      const quote = text[pos++]!;
      while (pos < text.length && text[pos] !== quote) {
        const ch = text[pos++]!;
        if (ch !== '\\') {
          bytes.push(...new TextEncoder().encode(ch));
          continue;
        }
        const e = text[pos++]!;
        const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, '\\': 92, a: 7, b: 8, f: 12, v: 11, '?': 63 };
        if (e in simple) bytes.push(simple[e]!);
        else if (/[0-7]/.test(e)) {
          let s = e;
          while (s.length < 3 && /[0-7]/.test(text[pos] ?? '')) s += text[pos++];
          bytes.push(Number.parseInt(s, 8) & 255);
        } else if (e === 'x') {
          let s = '';
          while (s.length < 2 && /[0-9a-fA-F]/.test(text[pos] ?? '')) s += text[pos++];
          bytes.push(Number.parseInt(s, 16));
        } else throw parseError(`escape \\${e}`, pos - 2, 'a C escape');
      }
      if (pos >= text.length) throw parseError('end of text inside a string', pos, `a closing ${quote}`);
      pos++;
      skip();
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  };
  const scalar = (): TextValue => {
    const c = text[pos];
    if (c === '"' || c === "'") return string();
    const m = /^-?[\w.+-]+/.exec(text.slice(pos, pos + 64));
    if (!m) throw parseError(JSON.stringify(text.slice(pos, pos + 12)), pos, 'a value');
    pos += m[0].length;
    const word = m[0];
    if (word === 'true' || word === 'True' || word === 't') return true;
    if (word === 'false' || word === 'False' || word === 'f') return false;
    if (/^-?(inf|infinity)f?$/i.test(word)) return word.startsWith('-') ? -Infinity : Infinity;
    if (/^-?nanf?$/i.test(word)) return Number.NaN;
    if (/^-?(0x[0-9a-f]+|\d|\.\d)/i.test(word)) return Number(word.replace(/[fFuUlL]+$/, ''));
    return word;
  };
  const message = (close: string | null): TextMessage => {
    const out: TextMessage = {};
    for (;;) {
      skip();
      if (pos >= text.length) {
        if (close) throw parseError('end of text', pos, `"${close}"`);
        return out;
      }
      if (close && text[pos] === close) {
        pos++;
        return out;
      }
      const name = identifier();
      skip();
      const values = (out[name] ??= []);
      if (text[pos] === ':') {
        pos++;
        skip();
      }
      const c = text[pos];
      if (c === '{' || c === '<') {
        pos++;
        values.push(message(c === '{' ? '}' : '>'));
      } else if (c === '[') {
        pos++;
        skip();
        while (text[pos] !== ']') {
          if (pos >= text.length) throw parseError('end of text', pos, '"]"');
          if (text[pos] === '{' || text[pos] === '<') {
            const open = text[pos++];
            values.push(message(open === '{' ? '}' : '>'));
          } else values.push(scalar());
          skip();
        }
        pos++;
      } else values.push(scalar());
    }
  };
  return message(null);
}
