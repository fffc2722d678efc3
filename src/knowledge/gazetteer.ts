/**
 * The regions gazetteer: every name a region goes by (official name, short names, one-character
 * abbreviations, aliases, Traditional forms, old names) → region, the province ▸ prefecture ▸
 * county hierarchy, and finding region mentions in free text (longest match first).
 */
import { msg } from '../i18n/index.ts';
import { fold } from './fold.ts';
import type { Region } from './schema.ts';
import { seedError } from './seed-error.ts';

export interface RegionMention {
  /** Offsets in the text (fold is length-preserving, so they hold for the original too). */
  start: number;
  end: number;
  /** The text as written. */
  text: string;
  /** Every region the name can mean; more than one = ambiguous. */
  regionIds: string[];
}

/** Suffixes dropped to derive a bare name (日喀则市 → 日喀则) when the rest is ≥ 2 characters. */
const SUFFIXES = ['维吾尔自治区', '自治区', '自治州', '地区', '市', '省', '县', '州', '区'];
const NO_STRIP = /(新区|园区|片区|示范区|开发区|试验区|集聚区|合作区|库区)$/;

export class Gazetteer {
  readonly regions: readonly Region[];
  private readonly byId = new Map<string, Region>();
  private readonly children = new Map<string, string[]>();
  /** Folded name (≥ 2 chars) → region ids. */
  private readonly names = new Map<string, string[]>();
  /** Folded one-character abbreviations (沪 连 滇 遵) → region ids; matched only in runs like 沪连. */
  private readonly oneChar = new Map<string, string[]>();
  private maxLen = 2;
  /** Ids that are one pinyin word (shanghai, wuxi, aksu): the place written in Latin letters; whole words only. */
  private readonly latinIds = new Set<string>();

  constructor(regions: readonly Region[], file = 'seeds/regions.json') {
    this.regions = regions;
    for (const r of regions) {
      if (this.byId.has(r.id)) throw seedError(file, r.id, msg.startup.seeds.duplicateId);
      this.byId.set(r.id, r);
    }
    for (const r of regions) {
      if (r.parent !== null) {
        if (!this.byId.has(r.parent)) throw seedError(file, r.id, msg.startup.seeds.missingParent(r.parent));
        const list = this.children.get(r.parent) ?? [];
        list.push(r.id);
        this.children.set(r.parent, list);
      }
      // A parent chain that loops would hang every ancestor walk.
      const seen = new Set<string>();
      for (let cur: Region | undefined = r; cur; cur = cur.parent ? this.byId.get(cur.parent) : undefined) {
        if (seen.has(cur.id)) throw seedError(file, r.id, msg.startup.seeds.parentCycle);
        seen.add(cur.id);
      }
    }
    const explicit = new Set<string>();
    for (const r of regions) {
      for (const n of [r.name, ...r.short, ...r.aliases, ...r.traditional, ...(r.renamed ?? []).map((x) => x.from)]) {
        explicit.add(fold(n));
        this.addName(n, r.id);
      }
    }
    for (const r of regions) {
      for (const n of [r.name, ...r.aliases, ...r.traditional]) {
        const bare = stripSuffix(fold(n));
        if (bare && !explicit.has(bare)) this.addName(bare, r.id);
      }
      // An id that is one pinyin word is how the place is written in Latin letters (Shanghai 对口支援…).
      if (/^[a-z]{3,}$/.test(r.id)) this.latinIds.add(r.id);
    }
  }

  private addName(name: string, id: string): void {
    const f = fold(name).replace(/\s+/g, '');
    if (!f) return;
    const map = f.length === 1 ? this.oneChar : this.names;
    const ids = map.get(f) ?? [];
    if (!ids.includes(id)) ids.push(id);
    map.set(f, ids);
    if (f.length > this.maxLen) this.maxLen = f.length;
  }

  get(id: string): Region | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Region ids a name means (exact name, after folding); empty when unknown. */
  resolve(name: string): string[] {
    const f = fold(name).replace(/\s+/g, '');
    const latin = f.toLowerCase();
    return [...(this.names.get(f) ?? this.oneChar.get(f) ?? (this.latinIds.has(latin) ? [latin] : []))];
  }

  /** Official name of a region, e.g. 大连市. */
  nameOf(id: string): string {
    return this.byId.get(id)?.name ?? id;
  }

  /** Ancestors, nearest first. */
  ancestors(id: string): Region[] {
    const out: Region[] = [];
    for (let cur = this.byId.get(id); cur?.parent; ) {
      const p = this.byId.get(cur.parent);
      if (!p) break;
      out.push(p);
      cur = p;
    }
    return out;
  }

  /** All descendants (children, grandchildren …). */
  descendants(id: string): string[] {
    const out: string[] = [];
    const walk = (x: string) => {
      for (const c of this.children.get(x) ?? []) {
        out.push(c);
        walk(c);
      }
    };
    walk(id);
    return out;
  }

  /** Whether `id` is `ancestor` or lies under it. */
  within(id: string, ancestor: string): boolean {
    return id === ancestor || this.ancestors(id).some((a) => a.id === ancestor);
  }

  /**
   * Every region mention in a text, left to right, longest name first. One-character
   * abbreviations count only in a run of two or more (沪连, 沪滇, 苏浙皖) or as the whole text,
   * since alone they are ordinary characters (遵循, 连续).
   */
  mentions(text: string): RegionMention[] {
    const f = fold(text);
    const out: RegionMention[] = [];
    const n = f.length;
    let i = 0;
    while (i < n) {
      let hit = false;
      for (let len = Math.min(this.maxLen, n - i); len >= 2; len--) {
        const ids = this.names.get(f.slice(i, i + len));
        if (ids) {
          out.push({ start: i, end: i + len, text: text.slice(i, i + len), regionIds: [...ids] });
          i += len;
          hit = true;
          break;
        }
      }
      if (hit) continue;
      if (this.oneChar.has(f[i]!)) {
        let j = i;
        while (j < n && this.oneChar.has(f[j]!) && !this.startsLongName(f, j)) j++;
        if (j - i >= 2 || f.trim().length === 1) {
          for (let k = i; k < j; k++) out.push({ start: k, end: k + 1, text: text[k]!, regionIds: [...this.oneChar.get(f[k]!)!] });
          i = j;
          continue;
        }
      }
      i++;
    }
    const before = out.length;
    for (const m of f.matchAll(/[A-Za-z]+/g)) {
      const id = m[0].toLowerCase();
      if (this.latinIds.has(id)) out.push({ start: m.index, end: m.index + m[0].length, text: text.slice(m.index, m.index + m[0].length), regionIds: [id] });
    }
    return out.length > before ? out.sort((a, b) => a.start - b.start) : out;
  }

  private startsLongName(f: string, at: number): boolean {
    for (let len = Math.min(this.maxLen, f.length - at); len >= 2; len--) if (this.names.has(f.slice(at, at + len))) return true;
    return false;
  }

  /** Names that mean more than one region (for data review). */
  ambiguities(): { name: string; regionIds: string[] }[] {
    const out: { name: string; regionIds: string[] }[] = [];
    for (const m of [this.names, this.oneChar]) for (const [name, ids] of m) if (ids.length > 1) out.push({ name, regionIds: ids });
    return out;
  }
}

function stripSuffix(f: string): string | undefined {
  if (NO_STRIP.test(f)) return undefined;
  for (const s of SUFFIXES) {
    if (f.endsWith(s) && f.length - s.length >= 2) return f.slice(0, -s.length);
  }
  return undefined;
}
