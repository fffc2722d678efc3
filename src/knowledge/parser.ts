/**
 * Plain text / markdown → clause tree. Works on documents it has never seen: it recognises the
 * numbering conventions of Chinese official documents (一、 （一） 1. 1、 1． （1） —— bullets,
 * 第X章 第X节 第X条), markdown headings and pipe tables, tolerant of full- and half-width marks.
 *
 * Nesting is decided by the order in which marker styles appear (a style already open on the
 * stack closes back to a sibling; a new style opens a child), because documents differ in which
 * style sits at which level. Chapters, sections, articles and markdown headings have a fixed rank
 * above all numbered styles.
 */
import { foldWidth } from './fold.ts';

export type ClauseKind =
  | 'heading'
  | 'part'
  | 'chapter'
  | 'section'
  | 'article'
  | 'cn'
  | 'paren-cn'
  | 'arabic'
  | 'paren-arabic'
  | 'bullet'
  | 'row'
  | 'para';

export interface Clause {
  /** `docId#path`, e.g. `sh-fyp11#3.2.1.2`, `statute#c2.a14`, `hz-2011#t24`. */
  id: string;
  docId: string;
  kind: ClauseKind;
  /** The marker as written (三、 （二） 1． 第十四条 ——), or the heading text for markdown headings. */
  label: string;
  /** The number the marker carries, when it carries one. */
  num?: number;
  /** The short title at the start of the clause, when it has one. */
  heading?: string;
  /** The clause's own text (marker removed; its paragraphs joined by newlines; children excluded). */
  text: string;
  /** The source lines as written, for matching quotes that include markers or table pipes. */
  raw: string;
  /** Human citation, e.g. 《上海市服务全国和对口帮扶“十一五”规划》三（二）1（2）. */
  citation: string;
  /** The citation without the title: 三（二）1（2）. */
  ref: string;
  parent?: string;
  children: string[];
  depth: number;
  /** 1-based line of the body where the clause starts. */
  line: number;
  /** Table rows: cell values by column header (e.g. 责任部门). */
  cells?: Record<string, string>;
}

export interface ParsedDoc {
  docId: string;
  title: string;
  /** All clauses in document order. */
  clauses: Clause[];
  roots: string[];
}

const CN_DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};

/** 十四 → 14, 一百零五 → 105, 二十 → 20; ASCII digits pass through. */
export function parseNumeral(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  let total = 0;
  let pending: number | undefined;
  for (const ch of s) {
    if (ch in CN_DIGITS) pending = CN_DIGITS[ch]!;
    else if (ch === '十' || ch === '百' || ch === '千') {
      total += (pending ?? 1) * (ch === '十' ? 10 : ch === '百' ? 100 : 1000);
      pending = undefined;
    } else return undefined;
  }
  return total + (pending ?? 0);
}

const CN_NUM = '[一二三四五六七八九十百零〇两]+';
const FIXED_RANK: Partial<Record<ClauseKind, number>> = { part: 10, chapter: 11, section: 12, article: 13 };

interface Marker {
  kind: ClauseKind;
  label: string;
  num?: number;
  /** Heading level for markdown headings. */
  level?: number;
  rest: string;
}

/** Recognise the marker at the start of a (trimmed) line; `w` is its width-folded form. */
function matchMarker(line: string, w: string): Marker | undefined {
  let m = /^(#{1,6})\s+(.+?)\s*#*$/.exec(w);
  if (m) {
    const label = line.slice(m[1]!.length).trim().replace(/\s*#*$/, '');
    // "## 第一章 总则" is a chapter written as a markdown heading: it counts and nests as one.
    const inner = matchMarker(label, foldWidth(label));
    if (inner && FIXED_RANK[inner.kind] !== undefined) return inner;
    return { kind: 'heading', label, level: m[1]!.length, rest: '' };
  }
  m = new RegExp(`^第(${CN_NUM}|\\d+)([编編章节節条條])\\s*`).exec(w);
  if (m) {
    const kind: ClauseKind = /[编編]/.test(m[2]!) ? 'part' : /章/.test(m[2]!) ? 'chapter' : /[节節]/.test(m[2]!) ? 'section' : 'article';
    return { kind, label: line.slice(0, m[0].length).trim(), num: parseNumeral(m[1]!), rest: line.slice(m[0].length) };
  }
  m = new RegExp(`^(${CN_NUM})\\s*[、,]\\s*`).exec(w);
  if (m) return { kind: 'cn', label: `${m[1]}、`, num: parseNumeral(m[1]!), rest: line.slice(m[0].length) };
  m = new RegExp(`^\\((${CN_NUM})\\)\\s*`).exec(w);
  if (m) return { kind: 'paren-cn', label: `（${m[1]}）`, num: parseNumeral(m[1]!), rest: line.slice(m[0].length) };
  m = /^\((\d{1,3})\)\s*/.exec(w);
  if (m) return { kind: 'paren-arabic', label: `（${m[1]}）`, num: Number(m[1]), rest: line.slice(m[0].length) };
  m = /^(\d{1,3})\s*[.、](?!\d)\s*/.exec(w);
  if (m) return { kind: 'arabic', label: line.slice(0, m[0].length).trim(), num: Number(m[1]), rest: line.slice(m[0].length) };
  m = /^(——|—|--|-{2,}|－－)\s*/.exec(line);
  if (m && line.length > m[0].length) return { kind: 'bullet', label: '——', rest: line.slice(m[0].length) };
  return undefined;
}

const TERMINAL = /[。；;！？!?：:”」）)…]$/;
const SENTENCE_END = /[。；;！？!?]/;

/** The short title at the start of a clause: a heading-only line, or its first short sentence. */
function headingOf(text: string): string | undefined {
  const first = text.split('\n')[0]!.trim();
  if (!first) return undefined;
  if (!SENTENCE_END.test(first) && first.length <= 40) return first;
  const m = /^(.{2,32}?)[。；;！？!?]/.exec(first);
  return m ? m[1] : undefined;
}

function isHeadingOnly(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && t.length <= 40 && !SENTENCE_END.test(t) && !/[：:]$/.test(t);
}

function tableCells(w: string): string[] | undefined {
  if ((w.match(/\|/g) ?? []).length < 2) return undefined;
  return w
    .replace(/^\s*\|/, '')
    .replace(/\|\s*$/, '')
    .split('|')
    .map((c) => c.trim());
}

interface Node {
  clause: Clause;
  level?: number;
  paras: string[];
  /** The first line was only a heading (no sentence): following paragraphs may become children. */
  headingOnly: boolean;
}

function normTitle(s: string): string {
  return foldWidth(s).replace(/[\s《》〈〉“”"]/g, '');
}

export interface ParseOptions {
  docId: string;
  title: string;
}

/** Parse a document body (front matter already removed) into a clause tree. */
export function parseDocument(body: string, opts: ParseOptions): ParsedDoc {
  const { docId, title } = opts;
  const clauses: Clause[] = [];
  const roots: string[] = [];
  const byId = new Map<string, Node>();
  const stack: Node[] = [];
  let sawClause = false;
  let topParas = 0;
  const topParaNodes: Clause[] = [];
  let tableHeader: string[] | undefined;
  /** Where the last line went, for re-joining a sentence broken across lines. */
  let lastTarget: { node?: Node; para?: Clause } | undefined;
  let lastIncomplete = false;

  const siblingsOf = (parent: Node | undefined) => (parent ? parent.clause.children : roots);

  const addClause = (parentNode: Node | undefined, kind: ClauseKind, label: string, seg: string, line: number, num?: number): Clause => {
    const siblings = siblingsOf(parentNode);
    const basePath = parentNode ? `${parentNode.clause.id.slice(docId.length + 1)}.` : '';
    let path = basePath + seg;
    for (let k = 2; byId.has(`${docId}#${path}`); k++) path = `${basePath}${seg}_${k}`;
    const c: Clause = {
      id: `${docId}#${path}`,
      docId,
      kind,
      label,
      text: '',
      raw: '',
      citation: '',
      ref: '',
      children: [],
      depth: parentNode ? parentNode.clause.depth + 1 : 0,
      line,
    };
    if (num !== undefined) c.num = num;
    if (parentNode) c.parent = parentNode.clause.id;
    siblings.push(c.id);
    clauses.push(c);
    return c;
  };

  const ordinal = (parent: Node | undefined, kind: ClauseKind) =>
    siblingsOf(parent).filter((id) => byId.get(id)?.clause.kind === kind).length + 1;

  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const w = foldWidth(line);
    const lineNo = i + 1;

    // A sentence broken across lines (a long line with no closing punctuation) continues here.
    const marker = matchMarker(line, w);
    const cells = tableCells(w);
    if (lastIncomplete && !marker && !cells && lastTarget) {
      if (lastTarget.node) {
        const n = lastTarget.node;
        if (n.paras.length) n.paras[n.paras.length - 1] += line;
        else n.clause.text += line;
        n.clause.raw += line;
      } else if (lastTarget.para) {
        lastTarget.para.text += line;
        lastTarget.para.raw += line;
      }
      lastIncomplete = line.length >= 50 && !TERMINAL.test(line);
      continue;
    }

    if (cells) {
      if (/^[\s|:-]+$/.test(w)) continue; // markdown separator row
      const num = /^\d+$/.test(cells[0] ?? '') ? Number(cells[0]) : undefined;
      if (num === undefined) {
        tableHeader = cells;
        continue;
      }
      // Rows hang under the nearest markdown heading (e.g. ## 附件), never under a numbered clause.
      while (stack.length && stack[stack.length - 1]!.clause.kind !== 'heading') stack.pop();
      const parent = stack[stack.length - 1];
      const c = addClause(parent, 'row', String(num), `t${num}`, lineNo, num);
      const header = tableHeader ?? [];
      const rec: Record<string, string> = {};
      const extras: string[] = [];
      cells.forEach((v, k) => {
        if (k === 0 || !v) return;
        const h = header[k] ?? `第${k + 1}列`;
        rec[h] = v;
        if (k >= 2) extras.push(`${h}：${v}`);
      });
      c.cells = rec;
      c.text = (cells[1] ?? '') + (extras.length ? `（${extras.join('；')}）` : '');
      c.raw = line;
      byId.set(c.id, { clause: c, paras: [], headingOnly: false });
      sawClause = true;
      lastTarget = undefined;
      lastIncomplete = false;
      continue;
    }
    tableHeader = undefined;

    if (marker) {
      if (marker.kind === 'heading' && normTitle(marker.label) === normTitle(title)) continue;
      if (marker.kind === 'heading') {
        while (stack.length) {
          const top = stack[stack.length - 1]!;
          if (top.clause.kind === 'heading' && (top.level ?? 1) < marker.level!) break;
          stack.pop();
        }
      } else if (FIXED_RANK[marker.kind] !== undefined) {
        const r = FIXED_RANK[marker.kind]!;
        while (stack.length) {
          const top = stack[stack.length - 1]!;
          const tr = FIXED_RANK[top.clause.kind];
          if (top.clause.kind === 'heading' || (tr !== undefined && tr < r)) break;
          stack.pop();
        }
      } else {
        const at = stack.findIndex((n) => n.clause.kind === marker.kind);
        if (at >= 0) stack.length = at;
      }
      const parent = stack[stack.length - 1];
      const seg =
        marker.kind === 'heading'
          ? `h${ordinal(parent, 'heading')}`
          : marker.kind === 'bullet'
            ? `b${ordinal(parent, 'bullet')}`
            : marker.kind === 'part'
              ? `p${marker.num ?? ordinal(parent, 'part')}`
              : marker.kind === 'chapter'
                ? `c${marker.num ?? ordinal(parent, 'chapter')}`
                : marker.kind === 'section'
                  ? `s${marker.num ?? ordinal(parent, 'section')}`
                  : marker.kind === 'article'
                    ? `a${marker.num ?? ordinal(parent, 'article')}`
                    : String(marker.num ?? ordinal(parent, marker.kind));
      const c = addClause(parent, marker.kind, marker.label, seg, lineNo, marker.num);
      c.text = marker.kind === 'heading' ? marker.label : marker.rest.trim();
      c.raw = line;
      const node: Node = { clause: c, paras: [], headingOnly: marker.kind === 'heading' || isHeadingOnly(c.text) };
      if (marker.level !== undefined) node.level = marker.level;
      byId.set(c.id, node);
      stack.push(node);
      sawClause = true;
      lastTarget = { node };
      lastIncomplete = c.text.length >= 50 && !TERMINAL.test(c.text);
      continue;
    }

    // A paragraph without a marker belongs to the open clause, or stands alone at top level.
    const top = stack[stack.length - 1];
    if (top) {
      top.paras.push(line);
      top.clause.raw += `\n${line}`;
      lastTarget = { node: top };
    } else {
      topParas++;
      const c = addClause(undefined, 'para', '', `p${topParas}`, lineNo);
      c.text = line;
      c.raw = line;
      c.ref = sawClause ? '附文' : '前言';
      byId.set(c.id, { clause: c, paras: [], headingOnly: false });
      if (!sawClause) topParaNodes.push(c);
      lastTarget = { para: c };
    }
    lastIncomplete = line.length >= 50 && !TERMINAL.test(line);
  }

  // Paragraphs under a heading-only clause become its children when there are several (each is
  // then citable on its own); a single paragraph, or paragraphs after body text, join the clause.
  for (const node of [...byId.values()]) {
    const c = node.clause;
    if (!node.paras.length) continue;
    if (node.headingOnly && node.paras.length >= 2) {
      const paraIds: string[] = [];
      node.paras.forEach((p, k) => {
        const pc: Clause = {
          id: `${c.id}.p${k + 1}`,
          docId,
          kind: 'para',
          label: '',
          text: p,
          raw: p,
          citation: '',
          ref: '',
          parent: c.id,
          children: [],
          depth: c.depth + 1,
          line: c.line,
        };
        paraIds.push(pc.id);
        clauses.splice(clauses.indexOf(c) + 1 + k, 0, pc);
      });
      c.children.unshift(...paraIds);
      // The paragraphs now live in their own clauses; keep the parent's raw text to its own line.
      c.raw = c.raw.split('\n')[0]!;
    } else {
      c.text = [c.text, ...node.paras].filter(Boolean).join('\n');
    }
  }

  const index = new Map(clauses.map((c) => [c.id, c]));
  const preambleCount = topParaNodes.length;
  let appendixCount = 0;
  for (const c of clauses) {
    const h = c.kind === 'para' || c.kind === 'row' ? undefined : c.kind === 'heading' ? c.label : headingOf(c.text);
    if (h) c.heading = h;
    c.ref = refOf(c, index, preambleCount, () => ++appendixCount);
    c.citation = `《${title}》${c.ref}`;
  }
  return { docId, title, clauses, roots };
}

function segmentOf(c: Clause, index: Map<string, Clause>): string {
  switch (c.kind) {
    case 'heading':
      return c.label;
    case 'part':
    case 'chapter':
    case 'section':
    case 'article':
      return c.label.replace(/\s+/g, '');
    case 'cn':
      return c.label.replace(/、$/, '');
    case 'paren-cn':
    case 'paren-arabic':
      return c.label;
    case 'arabic':
      return String(c.num ?? c.label.replace(/[.、．\s]/g, ''));
    case 'bullet':
    case 'para': {
      const siblings = c.parent ? index.get(c.parent)!.children : [];
      const same = siblings.filter((id) => index.get(id)?.kind === c.kind);
      const n = same.indexOf(c.id) + 1;
      return c.kind === 'bullet' ? `第${n}项` : `第${n}段`;
    }
    case 'row':
      return `附表第${c.num}项`;
  }
}

function refOf(c: Clause, index: Map<string, Clause>, preambleCount: number, nextAppendix: () => number): string {
  if (c.kind === 'row') return `附表第${c.num}项`;
  if (c.kind === 'para' && !c.parent) {
    if (c.ref === '前言') {
      const n = Number(c.id.slice(c.id.lastIndexOf('#p') + 2));
      return preambleCount > 1 ? `前言第${n}段` : '前言';
    }
    return `附文第${nextAppendix()}段`;
  }
  const chain: Clause[] = [];
  for (let cur: Clause | undefined = c; cur; cur = cur.parent ? index.get(cur.parent) : undefined) chain.unshift(cur);
  // Articles are numbered through the whole document, so 第十四条 alone identifies one.
  const art = chain.findIndex((x) => x.kind === 'article');
  const from = art >= 0 ? chain.slice(art) : chain;
  let out = '';
  let prevHeading = false;
  for (const x of from) {
    const seg = segmentOf(x, index);
    if (prevHeading) out += '·';
    out += seg;
    prevHeading = x.kind === 'heading';
  }
  return out;
}

/** What a document is made of, as a reader counts it: 第X条 articles and 第X章 chapters apart. */
export interface DocCounts {
  clauses: number;
  articles: number;
  chapters: number;
  sections: number;
}

export function docCounts(doc: ParsedDoc): DocCounts {
  const n = (k: ClauseKind) => doc.clauses.filter((c) => c.kind === k).length;
  return { clauses: doc.clauses.length, articles: n('article'), chapters: n('chapter'), sections: n('section') };
}

/** One line per clause: indentation by depth, label and heading (or the start of the text). */
export function outline(doc: ParsedDoc, maxDepth = Infinity): string[] {
  const lines: string[] = [];
  for (const c of doc.clauses) {
    if (c.depth > maxDepth) continue;
    lines.push(`${'  '.repeat(c.depth)}${outlineLabel(c)}`);
  }
  return lines;
}

/** How a clause is shown in an outline: 三（二）1 → "1. 完成中央下达的对口支援任务". */
function outlineLabel(c: Clause): string {
  const head = c.heading ?? shorten(c.text, 24);
  switch (c.kind) {
    case 'heading':
      // Outlines are read by people: a markdown heading shows as its text, not as "# 附件".
      return c.label;
    case 'row':
      return `附表第${c.num}项 ${shorten(c.text, 24)}`;
    case 'para':
      return `¶ ${shorten(c.text, 24)}`;
    case 'bullet':
      return `—— ${head}`;
    default:
      return `${c.label}${c.kind === 'part' || c.kind === 'chapter' || c.kind === 'section' || c.kind === 'article' ? ' ' : ''}${head}`;
  }
}

function shorten(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max)}…`;
}
