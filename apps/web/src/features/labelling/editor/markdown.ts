import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

/**
 * Markdown in task data is written by whoever produced the dataset: untrusted. It is rendered with
 * the API's settings (`apps/api/src/projects/markdown.ts`): raw HTML escaped, script-capable link
 * schemes refused, images off (they would load from wherever they point); and the output goes
 * through DOMPurify as well, in case a markdown-it bug ever lets something through.
 */
const renderer = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable(['image']);

/** markdown-it's output, before sanitising. Exported for tests only. */
export function renderMarkdownUnsanitized(source: string): string {
  return renderer.render(source);
}

let hooked = false;

/** HTML from a source we do not control, made safe to insert: no scripts, handlers, styles or frames. */
export function sanitizeHtml(html: string): string {
  // Without a DOM (a test runner) DOMPurify cannot work: fail closed, as text.
  if (!DOMPurify.isSupported) return escapeHtml(html);
  if (!hooked) {
    hooked = true;
    // Links leave the labelling screen in a new tab, without telling the target where they came from.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
  }
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'img', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'svg', 'math'],
    FORBID_ATTR: ['style', 'id', 'class'],
  });
}

export function renderMarkdown(source: string): string {
  return sanitizeHtml(renderMarkdownUnsanitized(source));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
