/** Minimal DOM building: `h('div', { class: 'card', onclick }, child, 'text')`. Plain DOM keeps the bundle small and
 *  lets uPlot own its canvases without a virtual DOM in between. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes: `class`, `style` (string), `on<event>` handlers, booleans (set when true), other values as strings. */
export type Attrs = Record<string, unknown>;

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value as EventListener);
      } else if (key === 'value' && 'value' in el) {
        (el as HTMLInputElement).value = String(value);
      } else if (key === 'checked' && 'checked' in el) {
        (el as HTMLInputElement).checked = Boolean(value);
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

/** Appends children (nested arrays flattened; null/false skipped). */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? (child as Node) : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = '';
  append(parent, children);
}

/** Compiles a user-typed regex case-insensitively; an invalid one matches nothing and reports why. */
export function compileFilter(source: string): { test(s: string): boolean; error?: string } {
  if (source === '') return { test: () => true };
  try {
    const re = new RegExp(source, 'i');
    return { test: (s) => re.test(s) };
  } catch (e) {
    return { test: () => false, error: (e as Error).message };
  }
}

/** Starts a browser download of `text` as a file. */
export function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
