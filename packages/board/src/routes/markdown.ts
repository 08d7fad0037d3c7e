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

/** HTML safe to put in the DOM: tags outside TensorBoard's allow-list are escaped, unsafe URL schemes dropped. */
export function safeHtml(unsafe: string): string {
  return sanitizeHtml(unsafe, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    disallowedTagsMode: 'escape',
    parser: { lowerCaseTags: true },
  });
}

/** One Markdown document to HTML, not yet sanitised (Python-Markdown ends without a newline; so do we). */
export function markdownToUnsafeHtml(source: string): string {
  return markdown.render(source.replaceAll('\0', '')).replace(/\n+$/, '');
}

/** Markdown to safe HTML (TensorBoard's `markdown_to_safe_html`). */
export function markdownToSafeHtml(source: string): string {
  return safeHtml(markdownToUnsafeHtml(source));
}

/** A tag description as the `/tags` routes show it: `''` stays `''`, anything else is rendered Markdown. */
export function describe(description: string): string {
  return description === '' ? '' : markdownToSafeHtml(description);
}
