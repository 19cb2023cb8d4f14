import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

describe('renderMarkdown', () => {
  it('renders ordinary markdown', () => {
    expect(renderMarkdown('# Title\n\n*Label* every **person**.')).toBe(
      '<h1>Title</h1>\n<p><em>Label</em> every <strong>person</strong>.</p>\n',
    );
  });

  it('escapes raw HTML instead of passing it through', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> <script>alert(1)</script>');
    expect(html).not.toMatch(/<img|<script/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('refuses links with script-capable schemes', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'vbscript:msgbox', 'data:text/html;base64,PHNjcmlwdD4=']) {
      const html = renderMarkdown(`[click](${href})`);
      expect(html, href).not.toContain('<a');
    }
    expect(renderMarkdown('[docs](https://example.test/guide)')).toContain('<a href="https://example.test/guide">docs</a>');
  });

  it('renders no images, which would load from anywhere', () => {
    expect(renderMarkdown('![tracker](https://evil.test/pixel.gif)')).not.toContain('<img');
  });
});
