/**
 * Buttons under knowledge answers and what pressing them shows: the next page of a clause
 * answer (`ask.more`), the full text of a clause shown cut short or only cited (`ask.full`), and
 * a document's outline (`toc.doc`). Values stay small — a clause id, a document id, or
 * `offset|question` — because Telegram's callback_data holds 64 bytes (longer ones go through
 * the callback store, see src/platforms/telegram/callbacks.ts).
 */
import { msg } from '../i18n/index.ts';
import type { Button, Reply } from '../messages.ts';
import type { Answer } from './answer.ts';
import type { PlanDoc } from './corpus.ts';
import type { Knowledge } from './knowledge.ts';
import { docCounts, outline } from './parser.ts';

const T = msg.knowledge;

const ACTION_MORE = 'ask.more';
const ACTION_FULL = 'ask.full';
const ACTION_OUTLINE = 'toc.doc';
const ACTION_PAIR_KIND = 'pair.kind';
/** Full-text buttons per answer; more would bury the reply under buttons. */
const MAX_FULL_BUTTONS = 3;
/** A question longer than this is cut in the button value; the first page already answered it whole. */
const MAX_QUESTION_IN_VALUE = 300;
/** Longest outline sent in one chat message; the CLI's `xiezuo ingest` shows all of it. */
const MAX_OUTLINE_LINES = 150;

/** Buttons for an answer: full text of the clauses cut short (or cited), more results, the top document's outline. */
export function answerButtons(k: Knowledge, a: Answer): Button[][] {
  const rows: Button[][] = [];
  if (a.intent === 'clause') {
    const full = (a.shown ?? []).filter((s) => s.truncated).slice(0, MAX_FULL_BUTTONS);
    if (full.length) rows.push(full.map((s) => ({ label: T.fullButton(s.ref), action: ACTION_FULL, value: s.clauseId })));
    const second: Button[] = [];
    if (a.more !== undefined) second.push({ label: T.moreButton, action: ACTION_MORE, value: moreValue(a.more, a.question) });
    const doc = a.shown?.[0] ? k.doc(a.shown[0].docId) : undefined;
    if (doc) second.push(outlineButton(doc));
    if (second.length) rows.push(second);
  } else if (a.pairKinds?.length && a.regionIds?.length) {
    // A summarised pairing answer: each kind's details (with their citations) one press away.
    const buttons = a.pairKinds.map((x) => ({ label: T.pairKindButton(x.kind, x.count), action: ACTION_PAIR_KIND, value: pairKindValue(a.regionIds!, x.kind) }));
    for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
  } else {
    // Pairing and deadline answers only cite their clauses: offer the clause text itself.
    const ids = [...new Set(a.results.map((r) => r.clauseId))].slice(0, MAX_FULL_BUTTONS);
    const buttons = ids.flatMap((id) => {
      const c = k.clause(id);
      return c ? [{ label: T.sourceButton(c.ref), action: ACTION_FULL, value: c.id }] : [];
    });
    if (buttons.length) rows.push(buttons);
  }
  return rows;
}

export function outlineButton(doc: PlanDoc): Button {
  return { label: T.outlineButton(doc.meta.short ?? doc.meta.title), action: ACTION_OUTLINE, value: doc.meta.id };
}

/** `region,region|kind` for the 详情 button of a summarised pairing answer. */
function pairKindValue(regionIds: readonly string[], kind: string): string {
  return `${regionIds.join(',')}|${kind}`;
}

/** Inverse of pairKindValue; undefined for anything it did not produce. */
export function parsePairKindValue(value: string): { regionIds: string[]; kind: string } | undefined {
  const m = /^([a-z0-9-]+(?:,[a-z0-9-]+)?)\|(.{1,20})$/.exec(value);
  return m ? { regionIds: m[1]!.split(','), kind: m[2]! } : undefined;
}

function moreValue(offset: number, question: string): string {
  return `${offset}|${question.slice(0, MAX_QUESTION_IN_VALUE)}`;
}

/** Inverse of moreValue; undefined for anything it did not produce. */
export function parseMoreValue(value: string): { offset: number; question: string } | undefined {
  const m = /^(\d{1,3})\|([\s\S]+)$/.exec(value);
  return m ? { offset: Number(m[1]), question: m[2]! } : undefined;
}

/** One clause in full, with its heading and citation, and its document's outline one press away. */
export function fullClauseReply(k: Knowledge, clauseId: string): Reply | undefined {
  const c = k.clause(clauseId);
  if (!c) return undefined;
  const doc = k.doc(c.docId);
  return {
    title: T.fullTitle(c.citation),
    blocks: [{ ...(c.heading && !c.text.startsWith(c.heading) ? { heading: c.heading } : {}), text: k.bodyText(c), citation: c.citation }],
    ...(doc ? { buttons: [[outlineButton(doc)]] } : {}),
    tone: 'answer',
  };
}

/** A document's outline (labels and headings), cut at MAX_OUTLINE_LINES for chat. */
export function outlineReply(doc: PlanDoc): Reply {
  const lines = outline(doc);
  const shown = lines.slice(0, MAX_OUTLINE_LINES);
  const meta = T.tocMeta(doc.meta.issuer, doc.meta.number, doc.meta.date);
  return {
    title: T.tocDocTitle(doc.meta.title, T.docCount(docCounts(doc))),
    blocks: [...(meta ? [{ text: meta }] : []), { text: shown.join('\n') }],
    ...(lines.length > MAX_OUTLINE_LINES ? { footer: T.moreLines(lines.length - MAX_OUTLINE_LINES) } : {}),
    tone: 'answer',
  };
}
