/**
 * Routing a free-text question and building the cited reply. A question is routed by what it
 * names: deadline words (期限、截止、哪一年、2020年前 …) → the date a named document was issued
 * (doc-dates.ts) when it asks for one, else the deadline answer (unless it asks after an event
 * the deadlines do not hold: 通车); regions plus pairing words, or two regions and nothing else,
 * → pairing answer; a clause asked for by its number (clause-refs.ts) → that clause; otherwise
 * clause search. Every fact in a reply carries its citation; when nothing matches well the reply
 * says so and suggests what to try.
 */
import { msg } from '../i18n/index.ts';
import type { Reply, ReplyBlock } from '../messages.ts';
import { type ResolvedDeadline, dueInstant } from './deadlines.ts';
import { referencedClause } from './clause-refs.ts';
import { DOC_EVENT, type DocumentDate, documentDate } from './doc-dates.ts';
import { fold } from './fold.ts';
import type { ClauseHit, KnowledgeView } from './view.ts';
import { type ResolvedPairing, Pairings, periodEnded } from './pairings.ts';
import type { Clause } from './parser.ts';
import { queryTerms, stripQuestionWords } from './tokenize.ts';

const T = msg.knowledge;

type Intent = 'clause' | 'pairing' | 'deadline';

interface AnswerResult {
  type: 'clause' | 'pairing' | 'deadline';
  id: string;
  text: string;
  citation: string;
  clauseId: string;
  doc: string;
  score?: number;
  [extra: string]: unknown;
}

export interface Answer {
  question: string;
  intent: Intent;
  reply: Reply;
  results: AnswerResult[];
  /** Clause answers: the clauses shown in the reply, in order, and whether each was cut short. */
  shown?: ShownClause[];
  /** Clause answers: the offset of the next page of results, when there are more. */
  more?: number;
  /** Pairing answers: the regions answered for (after walking up to a prefecture). */
  regionIds?: string[];
  /** Summarised pairing answers: the kinds whose details a button shows. */
  pairKinds?: { kind: string; count: number }[];
}

interface ShownClause {
  clauseId: string;
  docId: string;
  ref: string;
  truncated: boolean;
}

/** Clauses per page of a clause answer (the first page and every "more results" page). */
const CLAUSE_PAGE = 3;
/** How deep "more results" pages go; past this the results are noise. */
const CLAUSE_PAGE_LIMIT = 30;
/** Characters of a clause shown in a result list; the full text is one button away. */
const EXCERPT_CHARS = 260;

export interface AnswerOptions {
  /** Clock reading for overdue/upcoming marks; defaults to Date.now(). */
  now?: number;
  /** How many clauses to return for a clause answer. */
  k?: number;
}

const DEADLINE_WORDS = /期限|截止|到哪年|哪一年|哪年|什么时候|何时|目标年份|年份|时限|到期|完成时间|几年|哪一天|哪天|哪日|几月几日|什么日期|起施行|开始施行|生效|\d{4}年(?:底|末)?(?:之)?前|到\d{4}年|deadline|take effect|into force|\bwhen\b/i;
const DEADLINE_WORDS_G = new RegExp(DEADLINE_WORDS.source, 'gi');
const PAIRING_WORDS = /对口支援|对口帮扶|对口合作|对口协作|结对合作|结对帮扶|东西部协作|合作交流|结对|对口|对应|帮扶|支援|协作|接轨|合作|伙伴|援助|关系/g;
/**
 * Words that only say "which place" or ask after the current state (现在还是…吗) — a question made
 * only of these, regions and pairing words asks for partners (the pairing answer shows status).
 */
const PLACE_QUESTION =
  /指的是|分别是|分别|各自|啥|期间|时期|两地|两个|两|现在|目前|如今|当前|还是|仍然|依然|仍|还在不在|在不在|是不是|有没有|还在|还|是否|归属|属于|隶属|归|不|已经|已|继续|不再|存在|在|由|被|从|调整到|调整|调到|转到|转向|改为|换成|变成|变为|到了|到|去了|去|向|给|为|对象|方|哪几个|哪些|哪个|哪几|哪里|哪|什么|城市|省份|省区市|省市|地区|地方|州市|区县|市县|县区|伙伴|关系|对象|是|的|和|与|同|跟|有|都|了|吗|呢|谁|几个|名单|列表|情况|之间/g;

/**
 * Events whose date a question may ask for (印发, 通车 …) that are not deadlines: the date is
 * written in the clause or document that tells of the event, not in the deadline table.
 */
const EVENT_WORDS = new RegExp(`${DOC_EVENT.source}|签署|签订|成立|召开|举办|开通|通车|开工|竣工|建成|投产`, 'g');

/** Whether the question asks when an event happened that none of the found deadlines speaks of. */
function asksAnotherEvent(question: string, found: Answer): boolean {
  const events = fold(question).match(EVENT_WORDS);
  if (!events) return false;
  return !found.results.some((r) => events.some((e) => fold(r.text).includes(e)));
}

/** A five-year plan named in a question: 十五 (2001–2005), 十一五 … 十五五 (2026–2030). */
export const FIVE_YEAR_PLAN = /(?<!第)十([一二三四五])?五(?![条章节项款日])/g;
const PLAN_NUMBER: Record<string, number> = { 一: 11, 二: 12, 三: 13, 四: 14, 五: 15 };

/** The years of the five-year plan a question names, if one. */
function planYears(foldedQuestion: string): [number, number] | undefined {
  const m = foldedQuestion.matchAll(FIVE_YEAR_PLAN).next().value;
  if (!m) return undefined;
  const start = 2001 + ((m[1] ? PLAN_NUMBER[m[1]]! : 10) - 10) * 5;
  return [start, start + 4];
}

/** Answer one question (the default route for text without a command). */
export function answerQuestion(k: KnowledgeView, question: string, opts: AnswerOptions = {}): Answer {
  const q = question.trim();
  if (DEADLINE_WORDS.test(fold(q))) {
    const dated = documentDate(k, q);
    if (dated) return documentDateAnswer(question, dated);
    const d = deadlineAnswer(k, q, opts);
    if (d.results.length && !asksAnotherEvent(q, d)) return d;
  }
  const mentions = k.gazetteer.mentions(q);
  if (mentions.length) {
    let rest = fold(q);
    for (const m of [...mentions].reverse()) rest = `${rest.slice(0, m.start)} ${rest.slice(m.end)}`;
    const hasPairWord = PAIRING_WORDS.test(rest);
    PAIRING_WORDS.lastIndex = 0;
    const remainder = rest.replace(FIVE_YEAR_PLAN, ' ').replace(PAIRING_WORDS, ' ').replace(PLACE_QUESTION, ' ').replace(/[\s\p{P}\p{S}]/gu, '');
    const regionIds = [...new Set(mentions.flatMap((m) => m.regionIds))];
    // Regions and nothing else ask for their relationships too when two are named (沪滇, 上海 云南).
    const onlyRegions = regionIds.length >= 2 && rest.replace(/[\s\p{P}\p{S}]/gu, '').length === 0;
    if ((hasPairWord || onlyRegions) && remainder.length === 0) {
      const p = pairingAnswer(k, q, regionIds, opts);
      if (p.results.length) return p;
    }
  }
  const referenced = referencedClause(k, q);
  if (referenced) return referenceAnswer(k, question, referenced);
  return clauseAnswer(k, q, opts);
}

/**
 * The clause asked for by its number (第七十四条, 三（一）6), shown from its start; a section
 * heading (6．推动民生持续改善) shows the parts under it (bodyText).
 */
function referenceAnswer(k: KnowledgeView, question: string, c: Clause): Answer {
  return {
    question,
    intent: 'clause',
    reply: { title: T.clauseTitle(1), blocks: [clauseBlock(k, c, [])], tone: 'answer' },
    results: [clauseResult(k, c, 1, 1)],
    shown: [shownClause(k, c, [])],
  };
}

/** Share of the top score below which a result no longer answers the question (更多结果 stops there). */
const ON_TOPIC_SCORE = 0.4;
/** …and the share of the query's terms a further result must hold. */
const ON_TOPIC_COVERAGE = 0.3;

/**
 * The leading run of results that still answer the question: "more results" pages stop where
 * the scores fall off, instead of drifting into clauses that share one common word.
 */
function onTopic(hits: ClauseHit[]): ClauseHit[] {
  const top = hits[0];
  if (!top) return hits;
  const cut = hits.findIndex((h, i) => i > 0 && (h.score < top.score * ON_TOPIC_SCORE || h.coverage < Math.min(ON_TOPIC_COVERAGE, top.coverage)));
  return cut < 0 ? hits : hits.slice(0, cut);
}

/** A list clause short enough to stand in for one of its items (the item is read in context). */
const LIST_IN_CONTEXT_CHARS = 600;

/**
 * Items of a list read in their context: an item of a short list is answered by the list clause
 * (which carries every item), and an item whose list is already shown is not repeated.
 */
function inContext(k: KnowledgeView, hits: readonly ClauseHit[]): ClauseHit[] {
  const out: ClauseHit[] = [];
  const at = new Map<string, number>();
  for (const h of hits) {
    let hit = h;
    const parent = h.clause.parent ? k.clause(h.clause.parent) : undefined;
    if (parent && k.fullText(parent) !== parent.text) {
      if (at.has(parent.id)) continue;
      if (k.fullText(parent).length <= LIST_IN_CONTEXT_CHARS) hit = { ...h, clause: parent };
    }
    if (at.has(hit.clause.id)) continue;
    at.set(hit.clause.id, out.length);
    out.push(hit);
  }
  return out;
}

/** Clause search answer: the top clauses with citations, or an honest "nothing matches". */
function clauseAnswer(k: KnowledgeView, question: string, opts: AnswerOptions = {}): Answer {
  const hits = inContext(k, k.search(question, Math.max(opts.k ?? 5, CLAUSE_PAGE + 1) + 2)).slice(0, Math.max(opts.k ?? 5, CLAUSE_PAGE + 1));
  // Results stay ranked as found; only whether there is a next page depends on the fall-off.
  const further = onTopic(hits).length;
  const terms = queryTerms(stripQuestionWords(fold(question)));
  const top = hits[0];
  const results: AnswerResult[] = hits.map((h) => clauseResult(k, h.clause, h.score, h.coverage));
  if (!top) {
    return {
      question,
      intent: 'clause',
      reply: { title: T.weakTitle, blocks: [{ text: T.noMatch(question) }], footer: T.suggest, tone: 'notice' },
      results: [],
    };
  }
  // Weak: the best clause holds under half of the query's terms, or (for short queries) its
  // score is tiny — an answer built on that would be a guess.
  const weak = top.coverage < 0.45 || (terms.length <= 2 && top.coverage < 1);
  const shown = hits.filter((h, i) => i < CLAUSE_PAGE && h.score >= top.score * 0.5);
  if (weak) {
    const listed = shown.slice(0, 2);
    return {
      question,
      intent: 'clause',
      reply: { title: T.weakTitle, blocks: [{ text: T.weakIntro }, ...listed.map((h) => clauseBlock(k, h.clause, terms))], footer: T.suggest, tone: 'notice' },
      results,
      shown: listed.map((h) => shownClause(k, h.clause, terms)),
      ...(further > listed.length ? { more: listed.length } : {}),
    };
  }
  return {
    question,
    intent: 'clause',
    reply: { title: T.clauseTitle(shown.length), blocks: shown.map((h) => clauseBlock(k, h.clause, terms)), tone: 'answer' },
    results,
    shown: shown.map((h) => shownClause(k, h.clause, terms)),
    ...(further > shown.length ? { more: shown.length } : {}),
  };
}

/**
 * One page of a clause answer past the first: results `offset` … `offset + CLAUSE_PAGE - 1` for
 * the same question, ranked as the first page ranked them. No results there → no reply.
 */
export function clausePage(k: KnowledgeView, question: string, offset: number): Answer | undefined {
  if (!Number.isInteger(offset) || offset < 0 || offset >= CLAUSE_PAGE_LIMIT) return undefined;
  const hits = onTopic(inContext(k, k.search(question, Math.min(offset + CLAUSE_PAGE + 1, CLAUSE_PAGE_LIMIT) + 2)));
  const page = hits.slice(offset, offset + CLAUSE_PAGE);
  if (!page.length) return undefined;
  const terms = queryTerms(stripQuestionWords(fold(question)));
  const next = offset + page.length;
  return {
    question,
    intent: 'clause',
    reply: { title: T.morePageTitle(offset + 1, next), blocks: page.map((h) => clauseBlock(k, h.clause, terms)), tone: 'answer' },
    results: page.map((h) => clauseResult(k, h.clause, h.score, h.coverage)),
    shown: page.map((h) => shownClause(k, h.clause, terms)),
    ...(hits.length > next && next < CLAUSE_PAGE_LIMIT ? { more: next } : {}),
  };
}

/** Characters of a list clause shown with its items; the rest is one 全文 button away. */
const LIST_CHARS = 520;

/**
 * A clause as one block of a result list: an excerpt around the query's terms, with its citation.
 * A clause that introduces a list brings its items, one per line (as many as fit).
 */
function clauseBlock(k: KnowledgeView, c: Clause, terms: readonly string[]): ReplyBlock {
  const b: ReplyBlock = { text: shownText(k, c, terms).text, citation: c.citation };
  // A heading that the text already starts with would only repeat it.
  if (c.heading && !c.text.startsWith(c.heading)) b.heading = c.heading;
  return b;
}

function shownText(k: KnowledgeView, c: Clause, terms: readonly string[]): { text: string; truncated: boolean } {
  const full = k.bodyText(c);
  if (full === c.text) {
    const text = excerpt(c.text, terms, EXCERPT_CHARS);
    return { text, truncated: text !== c.text.replace(/\n+/g, ' ') };
  }
  const lines = full.split('\n');
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    const room = LIST_CHARS - used;
    if (out.length && line.length > room) {
      if (room > 40) out.push(`${line.slice(0, room)}…`);
      const left = lines.length - out.length;
      if (left > 0) out.push(T.listMore(left));
      return { text: out.join('\n'), truncated: true };
    }
    out.push(out.length ? line : excerpt(line, terms, LIST_CHARS));
    used += line.length;
  }
  return { text: out.join('\n'), truncated: out[0] !== lines[0] };
}

function shownClause(k: KnowledgeView, c: Clause, terms: readonly string[]): ShownClause {
  return { clauseId: c.id, docId: c.docId, ref: c.ref, truncated: shownText(k, c, terms).truncated };
}

function clauseResult(k: KnowledgeView, c: Clause, score: number, coverage: number): AnswerResult {
  return {
    type: 'clause',
    id: c.id,
    clauseId: c.id,
    doc: c.docId,
    text: k.bodyText(c),
    citation: c.citation,
    heading: c.heading,
    score: round(score),
    coverage: round(coverage),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The part of a long clause that holds most query terms, so the reply shows why it matched.
 * Fold is length-preserving, so positions in the folded text index the original.
 */
function excerpt(text: string, terms: readonly string[], max: number): string {
  const t = text.replace(/\n+/g, ' ');
  if (t.length <= max) return t;
  const f = fold(t);
  const pos: number[] = [];
  for (const term of new Set(terms)) {
    for (let i = f.indexOf(term); i >= 0; i = f.indexOf(term, i + 1)) pos.push(i);
  }
  if (!pos.length) return `${t.slice(0, max)}…`;
  pos.sort((a, b) => a - b);
  let best = 0;
  let bestStart = pos[0]!;
  for (let i = 0, j = 0; i < pos.length; i++) {
    while (pos[j]! < pos[i]! - max + 20) j++;
    if (i - j + 1 > best) {
      best = i - j + 1;
      bestStart = pos[j]!;
    }
  }
  // Start at the sentence the first hit is in, when that is close by.
  let start = Math.max(0, bestStart - 30);
  const sentence = Math.max(t.lastIndexOf('。', bestStart), t.lastIndexOf('；', bestStart));
  if (sentence >= 0 && bestStart - sentence < 80) start = sentence + 1;
  if (start + max > t.length) start = Math.max(0, t.length - max);
  return `${start > 0 ? '…' : ''}${t.slice(start, start + max)}${start + max < t.length ? '…' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Pairings

/** A pairing reply longer than this (characters) is summarised, with the details behind buttons. */
const PAIR_REPLY_BUDGET = 1200;

export interface PairingOptions extends AnswerOptions {
  /** Only this kind, in detail (the 详情 button of a summary). */
  kind?: string;
}

/**
 * The relationships of the named regions, walking a county or district up to its prefecture and
 * province when it holds none of its own (库车 → 阿克苏), as alert routing does.
 */
function pairingsFor(k: KnowledgeView, regionIds: string[]): { list: ResolvedPairing[]; via?: string; among?: boolean } {
  const g = k.gazetteer;
  const [a, b] = regionIds;
  if (!a) return { list: [] };
  const chain = (id: string) => [id, ...g.ancestors(id).map((r) => r.id)];
  if (regionIds.length > 2) {
    // 无锡、南通、扬州分别对应辽宁哪个城市: the relationships between any two of the named regions.
    const list = regionIds.flatMap((x, i) => regionIds.slice(i + 1).flatMap((y) => k.pairings.between(x, y)));
    if (list.length) return { list, among: true };
  }
  if (b) {
    for (const x of chain(a))
      for (const y of chain(b)) {
        const list = k.pairings.between(x, y);
        if (list.length) return { list, ...(x !== a ? { via: x } : y !== b ? { via: y } : {}) };
      }
    return { list: regionIds.flatMap((r) => k.pairings.of(r)) };
  }
  const own = k.pairings.of(a);
  if (own.length) return { list: own };
  const under = k.pairings.within(a);
  if (under.length) return { list: under };
  for (const up of g.ancestors(a)) {
    const list = k.pairings.of(up.id);
    if (list.length) return { list, via: up.id };
  }
  return { list: [] };
}

const startOf = (p: ResolvedPairing) => p.period?.start ?? p.period?.end ?? '9999';

/**
 * Partners of the named regions, grouped by kind, each with its citation. A relationship whose
 * plan period is over at `opts.now` is shown as such, whatever status the data keeps; one that
 * moved says where to (and the new one where from). A long list is summarised by kind and
 * region with counts; `Answer.pairKinds` then names the kinds whose details a button shows.
 */
export function pairingAnswer(k: KnowledgeView, question: string, regionIds: string[], opts: PairingOptions = {}): Answer {
  const now = opts.now ?? Date.now();
  const g = k.gazetteer;
  const [a, b] = regionIds;
  const found = pairingsFor(k, regionIds);
  let list = [...new Set(found.list)];
  if (opts.kind) list = list.filter((p) => p.kind === opts.kind);
  // 十五期间…: the relationships of that plan period, when the data dates any of them.
  const years = planYears(fold(question));
  if (years) {
    const inPlan = list.filter((p) => p.period?.start && Number(p.period.start.slice(0, 4)) <= years[1] && Number((p.period.end ?? '9999').slice(0, 4)) >= years[0]);
    if (inPlan.length) list = inPlan;
  }
  if (!list.length || !a) {
    const who = regionIds.map((r) => g.nameOf(r)).join('、') || question;
    return { question, intent: 'pairing', reply: { blocks: [{ text: T.pairNone(who) }], footer: T.suggest, tone: 'notice' }, results: [] };
  }
  // Kinds the question names come first, then the usual order; dates ascending within a kind.
  const docOrder = new Map(k.docs.map((d, i) => [d.meta.id, i]));
  const qf = fold(question);
  const named = (kind: string) => (qf.includes(fold(kind)) ? 0 : 1);
  // 现在 / 目前…: the relationships still running first, then the latest — history after.
  const asksNow = /现在|目前|如今|当前|现阶段/.test(qf);
  const current = (p: ResolvedPairing) => (asksNow && p.status === 'active' && !periodEnded(p, now) ? 0 : 1);
  const latest = (x: ResolvedPairing, y: ResolvedPairing) => (asksNow ? startOf(y).localeCompare(startOf(x)) : 0);
  list.sort(
    (x, y) =>
      current(x) - current(y) ||
      latest(x, y) ||
      named(x.kind) - named(y.kind) ||
      Pairings.kindOrder(x.kind) - Pairings.kindOrder(y.kind) ||
      x.kind.localeCompare(y.kind) ||
      startOf(x).localeCompare(startOf(y)) ||
      (docOrder.get(x.source.doc) ?? 0) - (docOrder.get(y.source.doc) ?? 0),
  );
  const viaNote = found.via ? [{ text: T.pairVia(regionIds.filter((r) => r !== found.via && g.within(r, found.via!)).map((r) => g.nameOf(r)).join('、') || g.nameOf(a), g.nameOf(found.via)) }] : [];
  const titleA = found.via && g.within(a, found.via) ? found.via : a;
  const titleB = b && found.via && g.within(b, found.via) ? found.via : b;
  const titleOf = (n: number) =>
    (found.among
      ? T.pairBetweenTitle(regionIds.slice(0, -1).map((r) => g.nameOf(r)).join('、'), g.nameOf(regionIds.at(-1)!), n)
      : titleB
        ? T.pairBetweenTitle(g.nameOf(titleA), g.nameOf(titleB), n)
        : T.pairTitle(g.nameOf(titleA), n)) + (opts.kind ? T.pairKindSuffix(opts.kind) : '');
  const results = list.map((p) => pairingResult(k, p, now));
  const detailed = pairingBlocks(k, list, now);
  const detailLength = detailed.reduce((n, bl) => n + (bl.heading?.length ?? 0) + bl.text.length + (bl.citation?.length ?? 0) + 4, 0);
  const kinds = [...new Set(list.map((p) => p.kind))];
  if (detailLength <= PAIR_REPLY_BUDGET || (opts.kind && detailed.length <= 1)) {
    return { question, intent: 'pairing', reply: { title: titleOf(list.length), blocks: [...viaNote, ...detailed], tone: 'answer' }, results, regionIds: [titleA, ...(titleB ? [titleB] : [])] };
  }
  if (opts.kind || kinds.length === 1) {
    // One kind, still long: as many blocks as fit, the rest counted (the 原文 buttons cite them).
    const shown: ReplyBlock[] = [];
    let used = 0;
    for (const bl of detailed) {
      const len = (bl.heading?.length ?? 0) + bl.text.length + (bl.citation?.length ?? 0) + 4;
      if (shown.length && used + len > PAIR_REPLY_BUDGET) break;
      shown.push(bl);
      used += len;
    }
    return {
      question,
      intent: 'pairing',
      reply: { title: titleOf(list.length), blocks: [...viaNote, ...shown], footer: T.pairMoreBlocks(detailed.length - shown.length), tone: 'answer' },
      results,
      regionIds: [titleA, ...(titleB ? [titleB] : [])],
    };
  }
  const blocks: ReplyBlock[] = kinds.map((kind) => summaryBlock(k, list.filter((p) => p.kind === kind), kind, titleA, now, !!titleB));
  return {
    question,
    intent: 'pairing',
    reply: { title: titleOf(list.length), blocks: [...viaNote, ...blocks], footer: T.pairSummaryFooter, tone: 'answer' },
    results,
    regionIds: [titleA, ...(titleB ? [titleB] : [])],
    pairKinds: kinds.map((kind) => ({ kind, count: list.filter((p) => p.kind === kind).length })),
  };
}

/** One block per kind + clause + first side: the four 云南 prefectures of one clause read as one line. */
function pairingBlocks(k: KnowledgeView, list: readonly ResolvedPairing[], now: number): ReplyBlock[] {
  const groups = new Map<string, ResolvedPairing[]>();
  for (const p of list) {
    const key = `${p.kind}|${p.clause.id}|${p.status}|${periodEnded(p, now)}|${p.from}|${k.pairings.movedTo(p)?.id ?? ''}`;
    const grp = groups.get(key) ?? [];
    grp.push(p);
    groups.set(key, grp);
  }
  // A note said once is not said again under the next block.
  const said = new Set<string>();
  return [...groups.values()].map((grp) => {
    const first = grp[0]!;
    const notes: string[] = [];
    for (const n of grp.map((p) => p.note ?? ''))
      for (const sentence of n.match(/[^。；]+[。；]?/g) ?? []) {
        const key = sentence.trim();
        if (key && !said.has(key)) {
          said.add(key);
          notes.push(key);
        }
      }
    // Fields, leads and mechanisms already listed under an earlier block are not listed again.
    const parts = pairingParts(k, { ...first, note: notes.join('') || undefined } as ResolvedPairing, now);
    const fresh = parts.filter((x, i) => i < parts.statusParts || !said.has(x));
    for (const x of fresh) said.add(x);
    return {
      heading: T.pairHeading(first.kind, regionLabel(k, first.from), grp.map((p) => regionLabel(k, p.to)).join('、')),
      text: fresh.join('；'),
      citation: first.clause.citation,
    };
  });
}

/**
 * One kind in a line per partner's province: 西藏自治区：日喀则市（2001—2025，3 项）; a partner
 * whose support moved says where to. Citations: the documents the kind comes from.
 */
function summaryBlock(k: KnowledgeView, list: readonly ResolvedPairing[], kind: string, self: string, now: number, between: boolean): ReplyBlock {
  const g = k.gazetteer;
  const byPartner = new Map<string, ResolvedPairing[]>();
  for (const p of list) {
    const other = k.pairings.partnerOf(p, self);
    const l = byPartner.get(other) ?? [];
    l.push(p);
    byPartner.set(other, l);
  }
  // Between two regions, each line names both ends (无锡市—盘锦市): both sides were asked about.
  const label = (other: string, ps: readonly ResolvedPairing[]) =>
    between ? `${[...new Set(ps.map((p) => (p.from === other ? p.to : p.from)))].map((r) => g.nameOf(r)).join('、')}—${g.nameOf(other)}` : g.nameOf(other);
  const byProvince = new Map<string, string[]>();
  for (const [other, ps] of byPartner) {
    const prov = g.ancestors(other).at(-1)?.name ?? '';
    const starts = ps.map((p) => p.period?.start).filter((x): x is string => !!x).sort();
    const ends = ps.map((p) => p.period?.end).filter((x): x is string => !!x).sort();
    const span = starts.length || ends.length ? `${starts[0] ?? '?'}—${ends.at(-1) ?? '?'}` : '';
    const moved = ps.map((p) => k.pairings.movedTo(p)).find((x) => x && !byPartner.get(other)?.includes(x));
    const latest = ps[ps.length - 1]!;
    const state = moved
      ? T.pairMovedShort(g.nameOf(k.pairings.partnerOf(moved, self)))
      : latest.status !== 'active'
        ? (T.pairStatus[latest.status] ?? latest.status)
        : periodEnded(latest, now)
          ? T.pairEndedShort
          : '';
    const info = [span, ps.length > 1 ? T.pairCount(ps.length) : '', state].filter(Boolean).join('，');
    const line = info ? `${label(other, ps)}（${info}）` : label(other, ps);
    const l = byProvince.get(prov) ?? [];
    l.push(line);
    byProvince.set(prov, l);
  }
  const docs = [...new Set(list.map((p) => p.source.doc))].map((id) => k.docs.find((d) => d.meta.id === id)?.meta.title ?? id);
  return {
    heading: T.pairKindHeading(kind, byPartner.size, list.length),
    text: [...byProvince].map(([prov, lines]) => (prov ? `${prov}：${lines.join('、')}` : lines.join('、'))).join('\n'),
    citation: docs.map((t) => `《${t}》`).join(''),
  };
}

function pairingResult(k: KnowledgeView, p: ResolvedPairing, now: number): AnswerResult {
  const g = k.gazetteer;
  return {
    type: 'pairing',
    id: p.id,
    clauseId: p.clause.id,
    doc: p.source.doc,
    kind: p.kind,
    from: p.from,
    to: p.to,
    fromName: g.nameOf(p.from),
    toName: g.nameOf(p.to),
    status: p.status,
    periodEnded: periodEnded(p, now),
    ...(k.pairings.movedTo(p) ? { movedTo: k.pairings.movedTo(p)!.to } : {}),
    // The relationship in words, then the clause it comes from, so the source travels with it.
    text: `${p.kind}：${g.nameOf(p.from)} — ${g.nameOf(p.to)}。${pairingDetails(k, p, now)}\n${p.clause.text}`,
    citation: p.clause.citation,
    quote: p.source.quote,
  };
}

/** 日喀则市（西藏自治区）: a region with its province, so same-named places are told apart. */
function regionLabel(k: KnowledgeView, id: string): string {
  const name = k.gazetteer.nameOf(id);
  const prov = k.gazetteer.ancestors(id).at(-1);
  return prov ? `${name}（${prov.name}）` : name;
}

function pairingDetails(k: KnowledgeView, p: ResolvedPairing, now: number): string {
  return pairingParts(k, p, now).join('；');
}

/** The parts of a relationship's details; the first `statusParts` say its status and period. */
function pairingParts(k: KnowledgeView, p: ResolvedPairing, now: number): string[] & { statusParts: number } {
  const g = k.gazetteer;
  const parts: string[] = [];
  let statusParts = 0;
  const moved = k.pairings.movedTo(p);
  if (moved) parts.push(T.statusLabel(T.pairMoved(g.nameOf(moved.to), moved.period?.start, moved.period?.end)), T.pairPeriod(p.period?.start, p.period?.end));
  else if (periodEnded(p, now)) parts.push(T.statusLabel(T.pairPeriodEnded(p.period?.start, p.period?.end)));
  else {
    parts.push(T.statusLabel(T.pairStatus[p.status] ?? p.status));
    if (p.period && (p.period.start || p.period.end)) parts.push(T.pairPeriod(p.period.start, p.period.end));
  }
  const before = [...new Set(k.pairings.movedFrom(p).map((x) => g.nameOf(x.to)))];
  if (before.length) parts.push(T.pairMovedFrom(before.join('、')));
  statusParts = parts.length;
  if (p.fields.length) parts.push(T.pairFields(p.fields.join('、')));
  if (p.leads.length) parts.push(T.pairLeads(p.leads.join('、')));
  if (p.mechanisms.length) parts.push(T.pairMechanisms(p.mechanisms.join('、')));
  if (p.note) parts.push(T.pairNote(p.note));
  return Object.assign(parts, { statusParts });
}

// ---------------------------------------------------------------------------------------------
// Deadlines

const deadlineTexts = new WeakMap<ResolvedDeadline, string>();
function foldedDeadlineText(d: ResolvedDeadline): string {
  let t = deadlineTexts.get(d);
  if (t === undefined) {
    t = fold(`${d.text} ${d.clause.text}`);
    deadlineTexts.set(d, t);
  }
  return t;
}

/** Deadlines scored against a question: regions, document, department, year and wording. */
function rankDeadlines(k: KnowledgeView, question: string): { d: ResolvedDeadline; score: number }[] {
  const f = fold(question);
  const regionIds = [...new Set(k.gazetteer.mentions(question).flatMap((m) => m.regionIds))];
  const docs = k.docsNamedIn(question);
  const years = [...f.matchAll(/(?<!\d)(\d{4})(?!\d)/g)].map((m) => Number(m[1]));
  const terms = [...new Set(queryTerms(stripQuestionWords(f.replace(DEADLINE_WORDS_G, ' '))))];
  const wantsTarget = /目标|到\d{4}/.test(f);
  // "Which year / what deadline" is answered by dated entries, not by recurring duties.
  const wantsYear = /哪一年|哪年|到哪年|年份|期限|截止|何时|什么时候/.test(f);
  const wantsEffective = /施行|生效|起实施|开始实施|take effect|into force/i.test(f);
  const scored: { d: ResolvedDeadline; score: number }[] = [];
  for (const d of k.deadlines.all) {
    let s = 0;
    const regionHits = regionIds.filter((r) => d.regions.some((x) => k.gazetteer.within(x, r))).length;
    s += 2 * regionHits;
    if (regionIds.length && regionHits === regionIds.length) s += 1;
    const docHit = docs.find((x) => x.doc.meta.id === d.source.doc);
    if (docHit) s += 4 * docHit.ratio;
    if (d.owners.some((o) => f.includes(fold(o).replace(/\s+/g, '')))) s += 3;
    if (years.length && d.due && years.includes(Number(d.due.slice(0, 4)))) s += 3;
    if (terms.length) {
      const dt = foldedDeadlineText(d);
      s += (2 * terms.filter((t) => dt.includes(t)).length) / terms.length;
    }
    if (wantsTarget && (d.kind === 'target' || d.kind === 'period')) s += 0.5;
    if (wantsYear && s > 0 && d.due) s += 1.5;
    // 何时施行 / 什么时候生效 asks for the date a document takes effect.
    if (wantsEffective && s > 0 && d.effective) s += 3;
    if (s > 0) scored.push({ d, score: s });
  }
  // A question that names a document asks about that document's deadlines only.
  const inNamed = scored.filter((x) => docs.some((n) => n.doc.meta.id === x.d.source.doc));
  return (inNamed.length ? inNamed : scored).sort((x, y) => y.score - x.score);
}

/** Deadline answer: the best-matching deadlines with due dates, owners and citations. */
function deadlineAnswer(k: KnowledgeView, question: string, opts: AnswerOptions = {}): Answer {
  const ranked = rankDeadlines(k, question);
  const best = ranked[0]?.score ?? 0;
  const picked = best >= 1.5 ? ranked.filter((r) => r.score >= best * 0.7).slice(0, 6) : [];
  return deadlineReply(question, picked.map((r) => r.d), opts, picked.map((r) => r.score));
}

/** When a document was issued or passed, from the line that dates it (or its front matter). */
function documentDateAnswer(question: string, d: DocumentDate): Answer {
  const { meta } = d.doc;
  const cited = d.clause ?? d.doc.clauses[0]!;
  const facts = [meta.issuer ? T.docIssuer(meta.issuer) : '', meta.number ? T.docNumber(meta.number) : ''].filter(Boolean);
  const text = [d.clause ? d.clause.text : T.docDateFromFrontMatter, ...facts].join('\n');
  const when = T.docDate(d.date);
  const citation = d.clause ? d.clause.citation : `《${meta.title}》`;
  const event = d.clause && fold(d.clause.text).includes(d.event) ? d.event : undefined;
  return {
    question,
    intent: 'deadline',
    reply: { title: T.docDateTitle(meta.title, event), blocks: [{ heading: when, text, citation }], tone: 'answer' },
    results: [{ type: 'clause', id: cited.id, clauseId: cited.id, doc: meta.id, text: `${when}：${text}`, citation: cited.citation }],
  };
}

/** Render a list of deadlines as a reply (also used by /deadline with explicit filters). */
function deadlineReply(question: string, list: ResolvedDeadline[], opts: AnswerOptions = {}, scores?: number[]): Answer {
  const now = opts.now ?? Date.now();
  if (!list.length) {
    return { question, intent: 'deadline', reply: { blocks: [{ text: T.deadlineNone }], footer: T.suggest, tone: 'notice' }, results: [] };
  }
  const blocks: ReplyBlock[] = [];
  const results: AnswerResult[] = [];
  list.forEach((d, i) => {
    const when = whenOf(d);
    const past = d.due ? dueInstant(d.due) < now : false;
    const state = d.due ? (d.effective ? (past ? T.deadlineState.inForce : T.deadlineState.notYetInForce) : past ? T.deadlineState.overdue : T.deadlineState.upcoming) : '';
    const extra: string[] = [];
    if (d.owners.length) extra.push(T.deadlineOwners(d.owners.join('、')));
    if (d.target) extra.push(T.deadlineTarget(d.target));
    const text = [d.text + state, ...extra].join('\n');
    blocks.push({ heading: when, text, citation: d.clause.citation });
    const r: AnswerResult = {
      type: 'deadline',
      id: d.id,
      clauseId: d.clause.id,
      doc: d.source.doc,
      kind: d.kind,
      due: d.due,
      recurrence: d.recurrence,
      regions: d.regions,
      owners: d.owners,
      text: `${when}：${text}`,
      citation: d.clause.citation,
      quote: d.source.quote,
    };
    if (scores?.[i] !== undefined) r.score = round(scores[i]!);
    results.push(r);
  });
  return { question, intent: 'deadline', reply: { title: T.deadlineTitle(list.length), blocks, tone: 'answer' }, results };
}

function whenOf(d: ResolvedDeadline): string {
  if (d.due) return /^\d{4}$/.test(d.due) ? T.dueYear(d.due) : T.dueDate(d.due);
  if (d.kind === 'recurring') return T.recurring(d.recurrence);
  return T.noDue;
}


/** Deadlines listed by one /deadline reply; the footer says how to narrow the rest. */
const DEADLINE_LIST_MAX = 8;

/**
 * Commands that would narrow a /deadline list, built from the words already given: add the
 * filter kinds not yet used (--upcoming, a year, a region) to what the user typed.
 */
function narrowingExamples(k: KnowledgeView, words: readonly string[], now: number, state?: 'overdue' | 'upcoming'): string[] {
  const base = words.length ? `/deadline ${words.join(' ')}` : '/deadline';
  const hasYear = words.some((w) => /^\d{4}$/.test(w));
  const hasRegion = words.some((w) => k.gazetteer.resolve(w).length > 0);
  const out: string[] = [];
  if (!state) out.push(`${base} --upcoming`);
  if (!hasYear) out.push(`${base} ${new Date(now + 8 * 3600_000).getUTCFullYear()}`);
  if (!hasRegion) out.push(`${base} 大连`);
  if (!out.length) out.push('/deadline 市科技局');
  return out.slice(0, 2);
}

/**
 * The /deadline query form: each word is a year (2025), a region (大连), a department
 * (市科技局) or part of a free question; known filters intersect, free words rank.
 */
export function deadlineQuery(
  k: KnowledgeView,
  words: readonly string[],
  opts: AnswerOptions & { state?: 'overdue' | 'upcoming' } = {},
): Answer {
  const now = opts.now ?? Date.now();
  const question = words.join(' ');
  let list: ResolvedDeadline[] = [...k.deadlines.all];
  const free: string[] = [];
  for (const w of words) {
    if (/^\d{4}$/.test(w)) {
      list = list.filter((d) => d.due?.startsWith(w));
      continue;
    }
    const regions = k.gazetteer.resolve(w);
    if (regions.length) {
      list = list.filter((d) => d.regions.some((r) => regions.some((x) => k.gazetteer.within(r, x))));
      continue;
    }
    const owned = k.deadlines.byOwner(w);
    if (owned.length) {
      const ids = new Set(owned.map((d) => d.id));
      list = list.filter((d) => ids.has(d.id));
      continue;
    }
    const doc = k.findDoc(w);
    if (doc && w.length >= 2) {
      list = list.filter((d) => d.source.doc === doc.meta.id);
      continue;
    }
    free.push(w);
  }
  if (free.length) {
    const allowed = new Set(list.map((d) => d.id));
    const ranked = rankDeadlines(k, free.join(' ')).filter((r) => allowed.has(r.d.id));
    const best = ranked[0]?.score ?? 0;
    list = best > 0 ? ranked.filter((r) => r.score >= best * 0.7).map((r) => r.d) : [];
  }
  if (opts.state === 'overdue') list = list.filter((d) => d.due && dueInstant(d.due) < now);
  if (opts.state === 'upcoming') list = list.filter((d) => d.due && dueInstant(d.due) >= now);
  if (!free.length) list.sort((a, b) => (a.due ? dueInstant(a.due) : Infinity) - (b.due ? dueInstant(b.due) : Infinity));
  const all = list.length;
  const shownMax = DEADLINE_LIST_MAX;
  const answer = deadlineReply(question, list.slice(0, shownMax), { now });
  if (all > shownMax) answer.reply.footer = T.deadlineNarrow(all - shownMax, narrowingExamples(k, words, now, opts.state));
  return answer;
}
