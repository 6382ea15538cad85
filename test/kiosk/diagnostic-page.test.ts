import { describe, expect, it } from 'vitest';
import { diagnosticPageUrl } from '../../kiosk/diagnostic-page.ts';

describe('the diagnostic page', () => {
  it('builds a diagnostic page that shows every problem as text, never as markup', () => {
    const url = diagnosticPageUrl('This kiosk cannot start', ['kioskId: required', 'upstream.ws.url: <script>alert(1)</script>']);
    const html = decodeURIComponent(url.replace(/^data:text\/html;charset=utf-8,/, ''));
    expect(html).toContain('kioskId: required');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<script>');
  });

  it('says its language and has a main landmark (what a screen reader needs to read it)', () => {
    const html = decodeURIComponent(diagnosticPageUrl('This kiosk cannot start', ['kioskId: required']).replace(/^data:text\/html;charset=utf-8,/, ''));
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<main>[\s\S]*<h1[\s\S]*<\/main>/);
  });
});
