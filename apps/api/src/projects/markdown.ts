import MarkdownIt from 'markdown-it';

/**
 * Project instructions are markdown written by managers and shown to every annotator: they are
 * rendered here to HTML that is safe to insert. Raw HTML in the source is escaped (`html: false`),
 * links with script-capable schemes (`javascript:`, `vbscript:`, `file:`, most `data:`) are refused by
 * markdown-it's link validation, and images are switched off because they would load from wherever
 * they point (the web app's CSP would block another origin anyway).
 */
const renderer = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable(['image']);

export function renderMarkdown(source: string): string {
  return renderer.render(source);
}
