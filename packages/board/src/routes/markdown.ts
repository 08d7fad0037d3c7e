/**
 * Markdown to safe HTML, as TensorBoard's `plugin_util.markdown_to_safe_html` does it (Python-Markdown with the
 * `tables` and `fenced_code` extensions, then bleach with an allow-list that escapes, not drops, other tags).
 * Here: markdown-it (tables and fences are built in) and sanitize-html in escape mode with the same allow-list.
 * Differences on exotic inputs (Python-Markdown is not CommonMark) are listed in the package README.
 */
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const ALLOWED_TAGS = [
  'ul', 'ol', 'li', 'p', 'pre', 'code', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'br', 'strong', 'em',
  'a', 'img', 'table', 'thead', 'tbody', 'td', 'tr', 'th',
];
const ALLOWED_ATTRIBUTES = { a: ['href', 'title'], img: ['src', 'title', 'alt'] };

const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false });
// Python-Markdown links any URL and bleach then drops an unsafe href (`<a>x</a>`); markdown-it would leave the
// source text instead. Let every link through here: the sanitiser below is the one place that judges URLs.
markdown.validateLink = () => true;
// Python-Markdown starts a top-level list only at the start of a block (after a blank line); CommonMark lets a list
// interrupt a paragraph. Wrap markdown-it's list rule so it does so only inside a list item (nested lists).
const listRule = markdown.block.ruler.__rules__.find((r) => r.name === 'list');
if (listRule) {
  const list = listRule.fn;
  markdown.block.ruler.at('list', (state, startLine, endLine, silent) =>
    silent && state.parentType === 'paragraph' && state.listIndent < 0 ? false : list(state, startLine, endLine, silent),
    { alt: listRule.alt },
  );
}
// Python-Markdown leaves entities as written (`&copy;` stays `&copy;`) and escapes only a bare `&`.
markdown.disable('entity');
markdown.renderer.rules.text = (tokens, idx) =>
  tokens[idx].content
    .replace(/&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)/g, '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** html5lib (bleach's serialiser) writes attributes in alphabetical order. */
function sortAttributes(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  return { tagName, attribs: Object.fromEntries(Object.entries(attribs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

/** HTML safe to put in the DOM: tags outside TensorBoard's allow-list are escaped, unsafe URL schemes dropped. */
export function safeHtml(unsafe: string): string {
  return sanitizeHtml(unsafe, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    disallowedTagsMode: 'escape',
    // bleach keeps entities as written (`&copy;` stays `&copy;`) and writes void elements HTML-style (`<br>`).
    parser: { lowerCaseTags: true, decodeEntities: false },
    transformTags: { '*': sortAttributes },
  }).replace(/<(br|hr|img)(\s[^<>]*)?\/>/g, (_m, tag: string, attrs?: string) => `<${tag}${(attrs ?? '').trimEnd()}>`);
}

/** One Markdown document to HTML, not yet sanitised (Python-Markdown ends without a newline; so do we). */
export function markdownToUnsafeHtml(source: string): string {
  return (
    markdown
      .render(source.replaceAll('\0', ''))
      .replace(/\n+$/, '')
      // A nested list follows its item's text directly in Python-Markdown (`<li>a<ul>`).
      .replace(/(<li>[^\n<]*)\n(<[uo]l>)/g, '$1$2')
  );
}

/** Markdown to safe HTML (TensorBoard's `markdown_to_safe_html`). */
export function markdownToSafeHtml(source: string): string {
  return safeHtml(markdownToUnsafeHtml(source));
}

/** A tag description as the `/tags` routes show it: `''` stays `''`, anything else is rendered Markdown. */
export function describe(description: string): string {
  return description === '' ? '' : markdownToSafeHtml(description);
}
