/**
 * Chinese-aware tokenisation over folded text (see fold.ts). Han runs give character bigrams
 * (and, for the index, unigrams so one-character queries still hit); ASCII letter/digit runs are
 * whole words. Bigrams need no dictionary, cope with the Traditional/Simplified fold and with
 * names the documents coin (沪连, 6122工程) — the usual choice for small Chinese corpora.
 */
import { fold } from './fold.ts';

function isHan(c: number): boolean {
  return (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xd800 && c <= 0xdbff);
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Calls `run(kind, start, end)` for each Han or ASCII-word run of the (folded) text. */
function eachRun(text: string, run: (han: boolean, start: number, end: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isHan(c)) {
      let j = i + 1;
      while (j < n && isHan(text.charCodeAt(j))) j++;
      run(true, i, j);
      i = j;
    } else if (isWord(c)) {
      let j = i + 1;
      while (j < n && isWord(text.charCodeAt(j))) j++;
      run(false, i, j);
      i = j;
    } else i++;
  }
}

/** Index terms: unigrams + bigrams of Han runs, ASCII words. Repeats kept (term frequency). */
export function indexTerms(folded: string): string[] {
  const out: string[] = [];
  eachRun(folded, (han, s, e) => {
    if (!han) {
      out.push(folded.slice(s, e));
      return;
    }
    for (let i = s; i < e; i++) {
      out.push(folded[i]!);
      if (i + 1 < e) out.push(folded.slice(i, i + 2));
    }
  });
  return out;
}

/**
 * Query terms: bigrams for Han runs of two or more characters (unigrams of such runs are mostly
 * noise and have long postings), the character itself for a one-character run, ASCII words.
 */
export function queryTerms(folded: string): string[] {
  const out: string[] = [];
  eachRun(folded, (han, s, e) => {
    if (!han || e - s === 1) {
      out.push(folded.slice(s, e));
      return;
    }
    for (let i = s; i + 1 < e; i++) out.push(folded.slice(i, i + 2));
  });
  return out;
}

/**
 * Question words and particles that carry no content; removed from a query (replaced by a
 * space, so no bigram spans them) before it is tokenised. Longest first.
 */
const QUESTION_WORDS = [
  '是什么', '是甚么', '是哪个', '是哪些', '有哪些', '有什么', '什么样', '怎么样', '怎样', '怎么', '如何', '哪几个', '哪几',
  '哪些', '哪个', '哪里', '哪儿', '多少', '几次', '几项', '什么', '请问', '为什么', '是否', '规定的', '规定',
  '吗', '呢', '吧', '啊', '的', '了', '是', '和', '与', '及',
  // Spoken forms (啥 = 什么): they carry nothing a clause would hold.
  '要不要', '能不能', '可不可以', '会不会', '有没有', '那边', '这边', '干啥', '个啥', '啥', '咋', '呀', '哦',
  // How long / how often: the clause states the span (每年一次, 10日), never these words.
  '多长时间', '多久', '多长',
];
// Folded like the queries they are removed from (what → 什么 stays 什么; 甚麼 → 什么).
const QUESTION_RE = new RegExp(QUESTION_WORDS.map((w) => fold(w)).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');

/** Strip question words from a folded query. */
export function stripQuestionWords(folded: string): string {
  return folded.replace(QUESTION_RE, ' ');
}
