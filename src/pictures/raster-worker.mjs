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
import { deflateSync } from 'node:zlib';

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
    // Glyph 0 is .notdef, the font's box for characters it lacks: leave a gap, never tofu.
    g = { id: `g${gl.id}`, adv: gl.advanceWidth, d: gl.id === 0 ? '' : gl.path.toSVG() };
    f.glyphs.set(cp, g);
  }
  return g;
}

const unescapeXml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
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
    for (const ch of unescapeXml(content)) {
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

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * RGBA pixels → PNG with fast deflate (level 1, no row filters): for these flat pictures it is
 * several times quicker than resvg's own encoder at a similar size.
 */
function encodePng(pixels, width, height) {
  const stride = width * 4;
  const raw = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    pixels.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA (opaque: the background is white)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

parentPort.on('message', (job) => {
  try {
    const t0 = performance.now();
    const f = job.fontFiles.length ? openFont(job.fontFiles[0], job.family) : undefined;
    const svg = outlineText(job.svg, f);
    const t1 = performance.now();
    const r = new Resvg(svg, {
      font: { loadSystemFonts: false },
      fitTo: { mode: 'original' },
      logLevel: 'off',
    });
    const t2 = performance.now();
    const img = r.render();
    const t3 = performance.now();
    // Copied into a buffer of its own so it can be transferred, not cloned.
    const png = new Uint8Array(encodePng(img.pixels, img.width, img.height));
    const t4 = performance.now();
    const ms = { outline: t1 - t0, parse: t2 - t1, render: t3 - t2, encode: t4 - t3 };
    parentPort.postMessage({ id: job.id, png, width: img.width, height: img.height, ms }, [png.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
