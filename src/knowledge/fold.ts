/**
 * Text folding for search and matching: Traditional → Simplified (char level), NFKC (full-width
 * → half-width) and lower case. The fold is strictly one UTF-16 code unit in, one out, so an
 * offset in folded text is the same offset in the original — quotes and highlights map back
 * without a position table. Phrase-level OpenCC conversion is not needed for matching (both
 * sides are folded the same way) and costs ~40 ms to initialise; the char table costs a few ms.
 */
import TSCharacters from 'opencc-js/dict/TSCharacters';
import TWVariantsRev from 'opencc-js/dict/TWVariantsRev';
import HKVariantsRev from 'opencc-js/dict/HKVariantsRev';

/** 0 = not computed yet; otherwise the folded code unit. */
const table = new Uint16Array(65536);
/** Same, for width folding only (NFKC per char, no script or case change). */
const widthTable = new Uint16Array(65536);
let tsLoaded = false;
const tsMap = new Uint16Array(65536);

function loadDict(dict: string, into: Uint16Array, chainThrough?: Uint16Array): void {
  for (const entry of dict.split('|')) {
    const [src, dst] = entry.split(' ');
    // Keep the fold length-preserving: only single-unit to single-unit mappings.
    if (!src || !dst || src.length !== 1 || dst.length !== 1) continue;
    let d = dst.charCodeAt(0);
    if (chainThrough?.[d]) d = chainThrough[d]!;
    into[src.charCodeAt(0)] = d;
  }
}

function ensureTs(): void {
  if (tsLoaded) return;
  loadDict(TSCharacters, tsMap);
  // Regional variants (裡 …) first go to the OpenCC standard form, then to Simplified — but
  // never for a character that is itself a Simplified form (么 must stay 么, not become 幺).
  const simplified = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) if (tsMap[c]) simplified[tsMap[c]!] = 1;
  const variants = new Uint16Array(65536);
  loadDict(TWVariantsRev, variants);
  loadDict(HKVariantsRev, variants);
  for (let c = 0; c < 65536; c++) {
    const v = variants[c];
    if (v && !tsMap[c] && !simplified[c] && tsMap[v]) tsMap[c] = tsMap[v]!;
  }
  tsLoaded = true;
}

function widthUnit(c: number): number {
  let w = widthTable[c]!;
  if (w) return w;
  w = c;
  if (c < 0xd800 || c > 0xdfff) {
    const n = String.fromCharCode(c).normalize('NFKC');
    if (n.length === 1) w = n.charCodeAt(0);
  }
  // The ideographic space and other Unicode spaces become a plain space.
  if (w !== 32 && /\s/.test(String.fromCharCode(w))) w = 32;
  widthTable[c] = w;
  return w;
}

function foldUnit(c: number): number {
  let f = table[c]!;
  if (f) return f;
  f = widthUnit(c);
  if (f >= 65 && f <= 90) f += 32;
  else if (f > 127) {
    const lower = String.fromCharCode(f).toLowerCase();
    if (lower.length === 1) f = lower.charCodeAt(0);
  }
  f = tsMap[f] || f;
  table[c] = f;
  return f;
}

/** Fold for search and matching; the result has exactly the length of the input. */
export function fold(text: string): string {
  ensureTs();
  const n = text.length;
  if (n === 0) return text;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = foldUnit(text.charCodeAt(i));
  return codesToString(out);
}

/** Width folding only (full-width digits, letters, parens → ASCII); length-preserving. */
export function foldWidth(text: string): string {
  const n = text.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = widthUnit(text.charCodeAt(i));
  return codesToString(out);
}

function codesToString(codes: number[]): string {
  let s = '';
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCharCode(...codes.slice(i, i + 4096));
  return s;
}

/** Fold and drop all white space: the matching rule of the eval set and of `source.quote`. */
export function foldCompact(text: string): string {
  return fold(text).replace(/\s+/g, '');
}
