import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdownUnsanitized, sanitizeHtml } from './markdown';

describe('markdown in task data', () => {
  it('renders markdown', () => {
    expect(renderMarkdownUnsanitized('**bold** and `code`')).toBe(
      '<p><strong>bold</strong> and <code>code</code></p>\n',
    );
  });

  it('escapes raw HTML instead of passing it through', () => {
    const html = renderMarkdownUnsanitized('<img src=x onerror=alert(1)> <script>alert(1)</script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('refuses script links and renders no images', () => {
    expect(renderMarkdownUnsanitized('[x](javascript:alert(1))')).not.toContain('href="javascript');
    expect(renderMarkdownUnsanitized('[x](JaVaScRiPt:alert(1))')).not.toContain('href');
    expect(renderMarkdownUnsanitized('![x](https://evil.example/pixel.png)')).not.toContain('<img');
  });

  it('fails closed where DOMPurify cannot run: the HTML comes out as text', () => {
    expect(sanitizeHtml('<b onclick="x()">hi</b>')).toBe(escapeHtml('<b onclick="x()">hi</b>'));
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
