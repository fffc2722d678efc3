// The rasteriser's worker thread: SVG text in, PNG bytes out. Plain JavaScript so it loads the
// same way under tsx, vitest and the bench, with no TypeScript loader inside the worker.
//
// Text is turned into glyph outlines here, before resvg sees the SVG: resvg shapes every <text>
// against the whole Noto CJK collection (~35 ms per text element, seconds for a map), while the
// outlines read once with fontkit and reused as <use> references cost microseconds. The font is
// opened once per worker and each glyph's outline is read once.
import { parentPort } from 'node:worker_threads';
import { Resvg } from '@resvg/resvg-js';
import * as fontkit from 'fontkit';

/** file|family → { font, glyphs: Map<codePoint, { id, adv, d }> } */
const fonts = new Map();

function openFont(file, family) {
  const key = `${file}|${family}`;
  let f = fonts.get(key);
  if (!f) {
    const opened = fontkit.openSync(file);
    const font = opened.fonts ? (opened.fonts.find((x) => x.familyName === family) ?? opened.fonts[0]) : opened;
    f = { font, glyphs: new Map() };
    fonts.set(key, f);
  }
  return f;
}

function glyph(f, cp) {
  let g = f.glyphs.get(cp);
  if (!g) {
    const gl = f.font.glyphForCodePoint(cp);
    g = { id: `g${gl.id}`, adv: gl.advanceWidth, d: gl.path.toSVG() };
    f.glyphs.set(cp, g);
  }
  return g;
}

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const attr = (attrs, name) => new RegExp(`\\s${name}="([^"]*)"`).exec(attrs)?.[1];

/** Every <text> (as src/pictures/svg.ts writes them) → <use>s of glyph outlines defined once. */
function outlineText(svg, f) {
  const used = new Map();
  const body = svg.replace(/<text x="([-\d.]+)" y="([-\d.]+)"([^>]*)>([^<]*)<\/text>/g, (_, xs, ys, attrs, content) => {
    if (!f) return '';
    const size = Number(attr(attrs, 'font-size') ?? 16);
    const fill = attr(attrs, 'fill') ?? '#000000';
    const anchor = attr(attrs, 'text-anchor') ?? 'start';
    const scale = size / f.font.unitsPerEm;
    const uses = [];
    let pen = 0;
    for (const ch of unescape(content)) {
      const g = glyph(f, ch.codePointAt(0));
      if (g.d) {
        used.set(g.id, g.d);
        uses.push(`<use href="#${g.id}" x="${pen}"/>`);
      }
      pen += g.adv;
    }
    const shift = anchor === 'end' ? -pen * scale : anchor === 'middle' ? (-pen * scale) / 2 : 0;
    const x = Number(xs) + shift;
    return `<g fill="${fill}" transform="translate(${x.toFixed(1)} ${ys}) scale(${scale.toFixed(5)} ${(-scale).toFixed(5)})">${uses.join('')}</g>`;
  });
  if (!used.size) return body;
  const defs = `<defs>${[...used].map(([id, d]) => `<path id="${id}" d="${d}"/>`).join('')}</defs>`;
  return body.replace(/(<svg[^>]*>)/, `$1${defs}`);
}

parentPort.on('message', (job) => {
  try {
    const f = job.fontFiles.length ? openFont(job.fontFiles[0], job.family) : undefined;
    const r = new Resvg(outlineText(job.svg, f), {
      font: { loadSystemFonts: false },
      background: '#ffffff',
      fitTo: { mode: 'original' },
      logLevel: 'off',
    });
    const img = r.render();
    // Copied into a buffer of its own so it can be transferred, not cloned.
    const png = new Uint8Array(img.asPng());
    parentPort.postMessage({ id: job.id, png, width: img.width, height: img.height }, [png.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
