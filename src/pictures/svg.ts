/** Small helpers for the pictures' hand-written SVG. */

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Numbers with at most one decimal: shorter SVG, identical pixels, stable hashes. */
export function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

export function text(x: number, y: number, s: string, attrs: Record<string, string | number> = {}): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrList(attrs)}>${esc(s)}</text>`;
}

export function rect(x: number, y: number, w: number, h: number, attrs: Record<string, string | number> = {}): string {
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}"${attrList(attrs)}/>`;
}

function attrList(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? n(v) : esc(v)}"`)
    .join('');
}

export function svgDoc(width: number, height: number, body: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    body.join('') +
    `</svg>`
  );
}

/**
 * Approximate width of a label in pixels: CJK and full-width characters are one em, the rest
 * about half. Good enough to size boxes without measuring glyphs.
 */
export function textWidth(s: string, size: number): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/.test(ch) ? size : size * 0.56;
  return w;
}
