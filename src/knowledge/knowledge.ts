/**
 * The knowledge service: plans parsed into clauses, the regions gazetteer, pairings and
 * deadlines (each resolved to the clause it quotes), and a BM25 index over the clauses. Built
 * once at start-up from seeds/ (plus any extra plan folders) and read-only afterwards.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import { type Answer, answerQuestion, type AnswerOptions, FIVE_YEAR_PLAN } from './answer.ts';
import type { PlanDoc } from './corpus.ts';
import { Deadlines, type ResolvedDeadline } from './deadlines.ts';
import { fold, foldCompact } from './fold.ts';
import { Gazetteer } from './gazetteer.ts';
import { Pairings, type ResolvedPairing } from './pairings.ts';
import type { Clause } from './parser.ts';
import type { Deadline, Pairing, Region, SourceRef } from './schema.ts';
import { seedError } from './seed-error.ts';
import { extractDeadlines } from './extract-deadlines.ts';
import { textWithItems } from './lists.ts';
import { SearchIndex, type SearchResult } from './search-index.ts';
import { SnapshotDamaged } from './snapshot-file.ts';
import type { ClauseHit, KnowledgeView } from './view.ts';
import { queryTerms, stripQuestionWords } from './tokenize.ts';

/** Score factor for clauses of the document whose title names the query's regions. */
const NAMED_DOC_BOOST = 1.5;

/** A question asking for a count: 多少家, 几个县, 数量. */
const COUNT_QUESTION = /多少|几个|几家|几项|几名|几所|几处|几批|几座|几条|数量|规模多大/;
/** A count stated in a clause: 近900家, 101个县, 2250名, 三十个. */
const COUNT_STATED = /(?:[\d０-９]+(?:\.\d+)?|[一二三四五六七八九十百千两]{2,})\s*(?:多|余)?\s*(?:万|亿)?\s*(?:个|家|项|名|人|所|处|批|座|条|户|村|县|次|元|亿元|万元|平方米|公里|吨|套|台|种|类|期)/;
/** Score factor for a clause that states a count, for count questions. */
const COUNT_BOOST = 1.3;
/** A five-year plan's number (十四五) or a year (2011), as titles carry them. */
const PLAN_OR_YEAR = new RegExp(`${FIVE_YEAR_PLAN.source}|\\d{4}`, 'g');
/** Quotes and title marks, which a title is written with or without. */
const TITLE_MARKS = /[《》“”"]/g;
/** A title shorter than this (a bare 条例) is too common a phrase to name a document. */
const TITLE_MIN_CHARS = 5;
/** A question asking what a term means: 什么叫破坏性地震, “乡村”是指什么. */
const DEFINITION_QUESTION = /什么叫|是指什么|指什么|指的是什么|什么是|什么意思|定义|含义|何谓/;
/** A definition stated in a clause: 本法所称乡村，是指… */
const DEFINITION_STATED = /所称|是指|系指/;
/** Score factor for a clause that defines, for definition questions (a definition is short and plain, so it ranks low on words alone). */
const DEFINITION_BOOST = 2;
/** A question asking what happens to who breaks a rule: 会受到什么处罚, 承担什么责任. */
const PENALTY_QUESTION = /处罚|处分|罚款|惩罚|惩处|法律责任|什么责任|后果|怎么处理|如何处理|追究/;
/** A penalty stated in a clause: 违反本条例规定…的，由…责令改正…给予处分 / 没收 / 罚款 / 追究…责任. */
const PENALTY_STATED = /违反本(?:法|条例|办法|规定)|给予.{0,8}处分|罚款|处以|没收|追究.{0,8}责任|责令/;
/** Score factor for a clause that states a penalty, for penalty questions (the prohibition repeats the question's words; the penalty article says what follows). */
const PENALTY_BOOST = 1.5;
/** Re-ranking of candidates for questions that ask for what a kind of clause states. */
const STATED_BOOSTS = [
  { asked: COUNT_QUESTION, stated: COUNT_STATED, factor: COUNT_BOOST },
  { asked: DEFINITION_QUESTION, stated: DEFINITION_STATED, factor: DEFINITION_BOOST },
  { asked: PENALTY_QUESTION, stated: PENALTY_STATED, factor: PENALTY_BOOST },
];
/** A clause whose own text (with its list items) is no longer than this, and has parts under it, is a section heading. */
const HEADING_CHARS = 40;

export interface KnowledgeLoadOptions {
  seedsDir: string;
  planDirs?: string[];
}

export interface KnowledgeData {
  docs: PlanDoc[];
  regions: Region[];
  pairings: Pairing[];
  deadlines: Deadline[];
}

export type { ClauseHit } from './view.ts';

/** The seed files' paths, as start-up errors name them. */
export interface SeedFiles {
  regions: string;
  pairings: string;
  deadlines: string;
}

export type SourceResolution = { ok: true; clause: Clause } | { ok: false; reason: string };

async function readJson(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StartupError(msg.startup.seeds.unreadable(file, (e as Error).message));
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StartupError(msg.startup.seeds.invalidJsonFile(file, (e as Error).message));
  }
}

/** Where the seed tables of a seeds folder live (the loader and the snapshot key read the same files). */
export function seedFiles(seedsDir: string): SeedFiles {
  return {
    regions: join(seedsDir, 'regions.json'),
    pairings: join(seedsDir, 'pairings.json'),
    deadlines: join(seedsDir, 'deadlines.json'),
  };
}

export class Knowledge implements KnowledgeView {
  readonly docs: readonly PlanDoc[];
  readonly gazetteer: Gazetteer;
  readonly pairings: Pairings;
  readonly deadlines: Deadlines;
  /** Every clause of every document, in document order; index = search-index doc number. */
  readonly clauses: readonly Clause[];
  private currentIndex: SearchIndex;
  private readonly byClauseId = new Map<string, Clause>();
  private readonly byDocId = new Map<string, PlanDoc>();
  private readonly compactText = new Map<string, { text: string; raw: string }>();
  private readonly titleRegions = new Map<string, Set<string>>();
  private readonly titleCache = new Map<string, TitleNames>();
  private readonly withItems = new Map<string, string>();

  private constructor(
    data: KnowledgeData,
    files: SeedFiles,
    index?: SearchIndex,
    private readonly onIndexDamaged?: (e: SnapshotDamaged) => void,
  ) {
    this.docs = data.docs;
    const clauses: Clause[] = [];
    for (const d of data.docs) {
      this.byDocId.set(d.meta.id, d);
      for (const c of d.clauses) {
        this.byClauseId.set(c.id, c);
        clauses.push(c);
      }
    }
    this.clauses = clauses;
    this.gazetteer = new Gazetteer(data.regions, files.regions);

    const checkRegion = (file: string, entry: string, id: string) => {
      if (!this.gazetteer.has(id)) throw seedError(file, entry, msg.startup.seeds.unknownRegion(id));
    };
    const resolved = (file: string, entry: string, src: SourceRef): Clause => {
      const r = this.resolveSource(src);
      if (!r.ok) throw seedError(file, entry, r.reason);
      return r.clause;
    };
    const pairings: ResolvedPairing[] = data.pairings.map((p) => {
      checkRegion(files.pairings, p.id, p.from);
      checkRegion(files.pairings, p.id, p.to);
      return { ...p, clause: resolved(files.pairings, p.id, p.source) };
    });
    const deadlines: ResolvedDeadline[] = data.deadlines.map((d) => {
      for (const r of d.regions) checkRegion(files.deadlines, d.id, r);
      return { ...d, clause: resolved(files.deadlines, d.id, d.source) };
    });
    this.pairings = new Pairings(pairings, this.gazetteer);
    const seeded = new Set(deadlines.map((d) => d.clause.id));
    this.deadlines = new Deadlines([...deadlines, ...extractDeadlines(data.docs, this.gazetteer, seeded)], this.gazetteer);
    this.currentIndex = index ?? this.buildIndex();
  }

  /** The BM25 index over `clauses` (built here, or read back from a snapshot). */
  get index(): SearchIndex {
    return this.currentIndex;
  }

  private buildIndex(): SearchIndex {
    return new SearchIndex(
      this.clauses.map((c) => this.indexText(c)),
      this.clauses.map((c) => this.contextText(c)),
    );
  }

  /**
   * A search of the index. A snapshot's large sections are checked page by page as queries first
   * read them (snapshot-file.ts); a damaged page costs this process one rebuild of the index from
   * its clauses (checked whole at load), not the official's answer.
   */
  private searchIndex(folded: string, k: number): SearchResult {
    try {
      return this.currentIndex.search(folded, k);
    } catch (e) {
      if (!(e instanceof SnapshotDamaged)) throw e;
      this.onIndexDamaged?.(e);
      this.currentIndex = this.buildIndex();
      return this.currentIndex.search(folded, k);
    }
  }

  /** Load and validate seeds/ and the plan folders; any problem is a StartupError. */
  static async load(opts: KnowledgeLoadOptions): Promise<Knowledge> {
    const { data, files } = await Knowledge.loadData(opts);
    return new Knowledge(data, files);
  }

  /**
   * Read and validate the sources without building anything. The parsers and zod schemas are
   * loaded here, on first use, so a process whose knowledge comes from a snapshot never loads them.
   */
  static async loadData(opts: KnowledgeLoadOptions): Promise<{ data: KnowledgeData; files: SeedFiles }> {
    const [{ loadCorpus }, { deadlineSchema, pairingSchema, parseSeedArray, regionSchema }] = await Promise.all([
      import('./corpus.ts'),
      import('./schema.ts'),
    ]);
    const files = seedFiles(opts.seedsDir);
    const [docs, regionsRaw, pairingsRaw, deadlinesRaw] = await Promise.all([
      loadCorpus(join(opts.seedsDir, 'plans'), opts.planDirs ?? []),
      readJson(files.regions),
      readJson(files.pairings),
      readJson(files.deadlines),
    ]);
    // A missing file means "no entries yet"; a present file must be valid.
    const data: KnowledgeData = {
      docs,
      regions: regionsRaw === undefined ? [] : parseSeedArray(regionSchema, regionsRaw, files.regions),
      pairings: pairingsRaw === undefined ? [] : parseSeedArray(pairingSchema, pairingsRaw, files.pairings),
      deadlines: deadlinesRaw === undefined ? [] : parseSeedArray(deadlineSchema, deadlinesRaw, files.deadlines),
    };
    return { data, files };
  }

  /**
   * Build from validated data; `index`, when given, is one read back from a snapshot (snapshot.ts),
   * and `onIndexDamaged` hears of a damaged page of it (the index is then rebuilt, see searchIndex).
   */
  static build(data: KnowledgeData, files: SeedFiles, index?: SearchIndex, onIndexDamaged?: (e: SnapshotDamaged) => void): Knowledge {
    return new Knowledge(data, files, index, onIndexDamaged);
  }

  /** Build from data already in memory (tests, the bench's ×100 corpus). */
  static fromData(data: KnowledgeData): Knowledge {
    return new Knowledge(data, { regions: 'regions', pairings: 'pairings', deadlines: 'deadlines' });
  }

  /** What the index sees as a clause's own text (folded): a list clause is scored with its items. */
  indexText(c: Clause): string {
    return fold(`${c.heading && !c.text.startsWith(c.heading) ? `${c.heading}\n` : ''}${this.fullText(c)}`);
  }

  /** A clause's text with the list items it introduces ("遵循以下原则：" + （一）…). */
  fullText(c: Clause): string {
    let t = this.withItems.get(c.id);
    if (t === undefined) {
      t = textWithItems(c, (id) => this.byClauseId.get(id));
      this.withItems.set(c.id, t);
    }
    return t;
  }

  /**
   * What a clause says when shown: its text with its list items, and for a bare section heading
   * (二、基本原则) the parts under it, one per line — the heading alone answers nothing.
   */
  bodyText(c: Clause): string {
    const full = this.fullText(c);
    if (full.length > HEADING_CHARS || !c.children.length) return full;
    const parts = c.children.map((id) => this.byClauseId.get(id)).filter((x): x is Clause => !!x);
    const line = (x: Clause) => `${x.kind === 'para' || x.kind === 'heading' ? '' : x.label}${this.fullText(x).replace(/\n+/g, ' ')}`;
    return [full, ...parts.map(line)].join('\n');
  }

  /**
   * Context that helps find a clause without being its text (folded): the parent's heading and
   * the document's title, so 辽宁与江苏对口合作的目标 finds 三、主要目标 whose text says 两省.
   */
  contextText(c: Clause): string {
    const parent = c.parent ? this.byClauseId.get(c.parent) : undefined;
    const title = this.byDocId.get(c.docId)?.meta.title ?? '';
    return fold(`${parent?.heading ?? ''}\n${title}`);
  }

  clause(id: string): Clause | undefined {
    return this.byClauseId.get(id);
  }

  doc(id: string): PlanDoc | undefined {
    return this.byDocId.get(id);
  }

  /**
   * Resolve `{doc, quote}` to the one clause whose text contains the quote (white space and
   * script folded). Quotes may also include markers or table pipes, so the raw lines are tried
   * when the text has no match.
   */
  resolveSource(src: SourceRef): SourceResolution {
    const doc = this.byDocId.get(src.doc);
    if (!doc) return { ok: false, reason: msg.startup.seeds.docMissing(src.doc) };
    const q = foldCompact(src.quote);
    if (!q) return { ok: false, reason: msg.startup.seeds.quoteEmpty };
    const compact = (c: Clause) => {
      let e = this.compactText.get(c.id);
      if (!e) {
        e = { text: foldCompact(c.text), raw: foldCompact(c.raw) };
        this.compactText.set(c.id, e);
      }
      return e;
    };
    let hits = doc.clauses.filter((c) => compact(c).text.includes(q));
    if (!hits.length) hits = doc.clauses.filter((c) => compact(c).raw.includes(q));
    if (hits.length === 1) return { ok: true, clause: hits[0]! };
    if (!hits.length) return { ok: false, reason: msg.startup.seeds.quoteNotFound(src.quote, src.doc) };
    return { ok: false, reason: msg.startup.seeds.quoteAmbiguous(src.quote, src.doc, hits.map((h) => h.ref)) };
  }

  /** Find a document by id, title or short name (folded; a title fragment is enough). */
  findDoc(name: string): PlanDoc | undefined {
    const f = foldCompact(name).replace(/[《》“”"]/g, '');
    if (!f) return undefined;
    const exact = this.byDocId.get(name.trim());
    if (exact) return exact;
    const norm = (s: string) => foldCompact(s).replace(/[《》“”"]/g, '');
    return (
      this.docs.find((d) => norm(d.meta.title) === f || (d.meta.short && norm(d.meta.short) === f)) ??
      this.docs.find((d) => norm(d.meta.title).includes(f) || (d.meta.short && norm(d.meta.short).includes(f))) ??
      this.docsNamedIn(name)[0]?.doc
    );
  }

  /**
   * Documents a text refers to, best first: by document number (ratio 1), else by the share of
   * the title's (or short or bare title's) bigrams present in the text, the share of its
   * characters in order (a shortened title), or its plan number or year with its kind
   * (十四五规划) — 0.6 and up counts.
   */
  docsNamedIn(text: string): { doc: PlanDoc; ratio: number }[] {
    const folded = fold(text);
    const q = new Set(queryTerms(folded));
    // Only in a short question: a long text holds most titles' characters in order by chance.
    const asked = compactName(text);
    const short = asked.length <= SHORT_QUESTION;
    const marks = [...folded.matchAll(PLAN_OR_YEAR)].map((m) => m[0]);
    const out: { doc: PlanDoc; ratio: number }[] = [];
    for (const d of this.docs) {
      const names = this.titleNames(d);
      // A document number (沪府发〔2007〕11号) names exactly one document.
      let best = names.number && asked.includes(names.number) ? 1 : 0;
      for (const terms of names.terms) {
        if (terms.length < 2) continue;
        const ratio = terms.filter((t) => q.has(t)).length / terms.length;
        if (ratio > best) best = ratio;
      }
      // A name shortened by dropping characters (河南扶贫条例 for 河南省扶贫开发条例) keeps most of
      // the title's characters in order, though few of its bigrams.
      if (best < 0.6 && short) best = Math.max(best, commonSubsequence(asked, names.compactBare) / names.compactBare.length);
      // 十四五规划, 2011年意见: the title's plan number or year with its kind of document.
      if (best < 0.6 && folded.includes(names.kind) && marks.some((m) => names.compact.includes(m))) best = 0.6;
      if (best >= 0.6) out.push({ doc: d, ratio: best });
    }
    return out.sort((a, b) => b.ratio - a.ratio);
  }

  /** A document's names as the matching above reads them, worked out once. */
  private titleNames(d: PlanDoc): TitleNames {
    let names = this.titleCache.get(d.meta.id);
    if (!names) {
      // A statute is named without its state prefix (乡村振兴促进法 for 中华人民共和国乡村振兴促进法).
      const bare = d.meta.title.replace(/^中华人民共和国/, '');
      const compact = compactName(d.meta.title);
      names = {
        terms: [d.meta.title, d.meta.short ?? '', bare === d.meta.title ? '' : bare].map((n) => [...new Set(queryTerms(fold(n)))]),
        written: [d.meta.title, d.meta.short ?? '', bare].map((n) => fold(n).replace(TITLE_MARKS, '')).filter((n) => n.length >= TITLE_MIN_CHARS),
        compact,
        compactBare: compactName(bare),
        kind: compact.slice(-2),
        number: compactName(d.meta.number),
      };
      this.titleCache.set(d.meta.id, names);
    }
    return names;
  }

  /** A query as the index sees it: folded, question words removed. */
  static prepareQuery(query: string): string {
    return stripQuestionWords(fold(query));
  }

  /**
   * Ranked clauses for a free-text query. A question about a number (有多少家, 多少个县) prefers
   * clauses that state one: candidates are re-ranked with a boost for a count in their text.
   */
  search(query: string, k = 5): ClauseHit[] {
    const f = fold(query);
    const boosts = STATED_BOOSTS.filter((b) => b.asked.test(f));
    if (!boosts.length) return this.rank(query, k);
    const factor = (c: Clause) => boosts.reduce((x, b) => (b.stated.test(this.fullText(c)) ? x * b.factor : x), 1);
    return this.rank(query, k * 3)
      .map((h) => ({ ...h, score: h.score * factor(h.clause) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  private rank(query: string, k: number): ClauseHit[] {
    // A query that names a document by its title (乡村振兴促进法里的“乡村”是指什么): the title's
    // words say which document, not which clause — rank without them, preferring its clauses.
    const titled = this.titleIn(query);
    if (titled) {
      const hits = this.rankPreferring(titled.rest, titled.docs, k);
      if (hits) return hits;
    }
    // Likewise when the regions a query names are the ones a document's title names (辽宁与江苏… →
    // 《辽宁省与江苏省对口合作实施方案》).
    const mentions = this.gazetteer.mentions(query);
    const named = mentions.length ? this.docsNamingRegions(mentions.map((m) => m.regionIds)) : undefined;
    if (named?.size && named.size < this.docs.length) {
      let rest = query;
      for (const m of [...mentions].reverse()) rest = `${rest.slice(0, m.start)} ${rest.slice(m.end)}`;
      const hits = this.rankPreferring(rest, named, k);
      if (hits) return hits;
    }
    const folded = Knowledge.prepareQuery(query);
    const r = this.searchIndex(folded, k);
    return r.hits.map((h) => ({
      clause: this.clauses[h.doc]!,
      score: h.score,
      coverage: r.queryTerms ? h.matched / r.queryTerms : 0,
    }));
  }

  /** Ranked clauses for `rest`, those of the `preferred` documents boosted; undefined when `rest` has no terms. */
  private rankPreferring(rest: string, preferred: ReadonlySet<string>, k: number): ClauseHit[] | undefined {
    const folded = Knowledge.prepareQuery(rest);
    if (!SearchIndex.terms(folded).length) return undefined;
    const r = this.searchIndex(folded, k * 4);
    return r.hits
      .map((h) => {
        const clause = this.clauses[h.doc]!;
        return { clause, score: h.score * (preferred.has(clause.docId) ? NAMED_DOC_BOOST : 1), coverage: r.queryTerms ? h.matched / r.queryTerms : 0 };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  /**
   * The longest document title (or short or bare title, at least TITLE_MIN_CHARS) written out in
   * a query, the documents it names and the query without it.
   */
  private titleIn(query: string): { docs: Set<string>; rest: string } | undefined {
    const q = fold(query).replace(TITLE_MARKS, '');
    let best = '';
    let docs = new Set<string>();
    for (const d of this.docs) {
      for (const n of this.titleNames(d).written) {
        if (n.length < best.length || !q.includes(n)) continue;
        if (n.length > best.length) docs = new Set();
        best = n;
        docs.add(d.meta.id);
      }
    }
    return best ? { docs, rest: q.replace(best, ' ') } : undefined;
  }

  /** Documents whose title names every one of the regions (each given as its possible ids). */
  private docsNamingRegions(regions: string[][]): Set<string> {
    const out = new Set<string>();
    for (const d of this.docs) {
      let ids = this.titleRegions.get(d.meta.id);
      if (!ids) {
        ids = new Set(this.gazetteer.mentions(d.meta.title).flatMap((m) => m.regionIds));
        this.titleRegions.set(d.meta.id, ids);
      }
      if (regions.every((alts) => alts.some((r) => ids!.has(r)))) out.add(d.meta.id);
    }
    return out;
  }

  /** Answer a question the way a chat message without a command is answered. */
  answer(question: string, opts: AnswerOptions = {}): Answer {
    return answerQuestion(this, question, opts);
  }
}

/** Questions up to this many characters may name a document by an abbreviated title. */
const SHORT_QUESTION = 40;

/** A name as compared character by character: folded, without spaces, quotes and 《》. */
function compactName(s: string): string {
  return foldCompact(s).replace(/[《》“”"'‘’、，,。()（）]/g, '');
}

/** A document's names for docsNamedIn / titleIn. */
interface TitleNames {
  /** Bigram sets of the title, short title and bare title. */
  terms: string[][];
  /** The names as written out in a query (folded, without quotes), long enough to count. */
  written: string[];
  /** The title, and the bare title (no 中华人民共和国), compared character by character. */
  compact: string;
  compactBare: string;
  /** The kind of document its title ends with: 规划, 方案, 意见, 条例. */
  kind: string;
  /** Its document number (沪府发〔2007〕11号), compact; empty when it has none. */
  number: string;
}

/** Scratch rows for commonSubsequence (answers never run concurrently). */
let lcsPrev = new Uint16Array(64);
let lcsCur = new Uint16Array(64);

/** Length of the longest common subsequence of two short strings. */
function commonSubsequence(a: string, b: string): number {
  if (lcsPrev.length <= b.length) {
    lcsPrev = new Uint16Array(b.length + 1);
    lcsCur = new Uint16Array(b.length + 1);
  }
  let prev = lcsPrev.fill(0, 0, b.length + 1);
  let cur = lcsCur.fill(0, 0, b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}
