/**
 * Text summaries rendered as TensorBoard 2.20 renders them (Python-Markdown 3.4.1 + bleach), on a corpus of typical
 * inputs recorded with those libraries (fixtures/markdown/cases.json, made by make-cases.py).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { textToHtml } from '../src/routes/text.ts';

interface Case {
  input: string;
  markdown: string;
  table: string;
  plain: string;
}
const { cases } = JSON.parse(readFileSync(new URL('./fixtures/markdown/cases.json', import.meta.url), 'utf8')) as { cases: Case[] };
const encoder = new TextEncoder();

/** Known differences, each also in the package README. */
const KNOWN: Record<string, string> = {
  'plain <https://example.com>':
    'markdown=false: bleach escapes a non-HTML "<https://…>" back to its source text; sanitize-html rebuilds it from the parsed tag and loses the part it read as an attribute',
};

function render(input: string, shape: number[], markdown: boolean): string {
  return textToHtml({ step: 0, wallTime: 0, value: { dtype: 7, shape, strings: [encoder.encode(input)] } }, markdown);
}

describe('text rendering matches TensorBoard’s Python-Markdown + bleach output', () => {
  for (const c of cases) {
    for (const [kind, shape, markdown] of [['markdown', [], true], ['table', [1], true], ['plain', [1], false]] as const) {
      const name = `${kind} ${c.input}`;
      it(`${kind === 'markdown' ? 'a scalar string' : kind === 'table' ? 'a rank-1 string in a table' : 'markdown=false'}: ${JSON.stringify(c.input)}`, { skip: KNOWN[name] ?? false }, () => {
        assert.equal(render(c.input, [...shape], markdown), c[kind]);
      });
    }
  }

  it('lays a matrix out as a table row per row and cuts higher ranks to their first 2-D slice with a warning', () => {
    const strings = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((s) => encoder.encode(s));
    const matrix = textToHtml({ step: 0, wallTime: 0, value: { dtype: 7, shape: [2, 2], strings: strings.slice(0, 4) } }, false);
    assert.equal(matrix, '<table>\n<tbody>\n<tr>\n<td>a</td>\n<td>b</td>\n</tr>\n<tr>\n<td>c</td>\n<td>d</td>\n</tr>\n</tbody>\n</table>');
    const cube = textToHtml({ step: 0, wallTime: 0, value: { dtype: 7, shape: [2, 2, 2], strings } }, false);
    assert.ok(cube.startsWith('<p><strong>Warning:</strong> This text summary contained data of dimensionality 3'), cube);
    assert.ok(cube.endsWith(matrix));
  });
});
