/**
 * Finding a font that draws Chinese. resvg draws nothing (not tofu) for glyphs no loaded font
 * has, so a picture rendered without one would silently lose every label: callers check
 * `findCjkFont()` first and answer with text when it is undefined.
 */
import { type Dirent, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface CjkFont {
  /** Font files handed to resvg (nothing else is loaded: system font scans are slow). */
  files: string[];
  /** The family name the SVGs ask for. */
  family: string;
}

/** Known CJK fonts by file name, best first; Debian's fonts-noto-cjk is the one .ci/run installs. */
const KNOWN: { file: RegExp; family: string }[] = [
  { file: /^NotoSansCJK-Regular\.ttc$/, family: 'Noto Sans CJK SC' },
  { file: /^NotoSansCJKsc-Regular\.otf$/, family: 'Noto Sans CJK SC' },
  { file: /^NotoSerifCJK-Regular\.ttc$/, family: 'Noto Serif CJK SC' },
  { file: /^SourceHanSans(SC|CN)?-Regular\.(otf|ttc)$/, family: 'Source Han Sans SC' },
  { file: /^wqy-zenhei\.ttc$/, family: 'WenQuanYi Zen Hei' },
  { file: /^wqy-microhei\.ttc$/, family: 'WenQuanYi Micro Hei' },
];

const DEFAULT_FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', join(process.env.HOME ?? '/root', '.fonts')];

/** The first known CJK font under `dirs` (searched a few levels deep), or undefined. */
export function findCjkFont(dirs: readonly string[] = DEFAULT_FONT_DIRS): CjkFont | undefined {
  const found: { path: string; rank: number; family: string }[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else {
        const rank = KNOWN.findIndex((k) => k.file.test(e.name));
        if (rank >= 0) found.push({ path: p, rank, family: KNOWN[rank]!.family });
      }
    }
  };
  for (const d of dirs) walk(d, 0);
  found.sort((a, b) => a.rank - b.rank || a.path.localeCompare(b.path));
  const best = found[0];
  return best ? { files: [best.path], family: best.family } : undefined;
}
