/**
 * Answers as officials read them (issue 12, points 1–7), through the real router with the seeds
 * and a folder of documents the bot has never seen (tests/fixtures/plans-unseen: a statute with a
 * `# title` and an `<!-- INFO END -->` marker, a plan with a 《》 title line, an untitled file).
 * The questions are worded unlike the dev eval's, about other documents.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../../commands/ask.ts';
import { deadline } from '../../commands/deadline.ts';
import { help } from '../../commands/help.ts';
import { pair } from '../../commands/pair.ts';
import { toc } from '../../commands/toc.ts';
import { KnowledgeRegionGraph } from '../../src/alerts/graph.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import type { Knowledge } from '../../src/knowledge/knowledge.ts';
import { createLogger } from '../../src/log.ts';
import type { ActionResult } from '../../src/command.ts';
import type { Button, Inbound, Reply } from '../../src/messages.ts';
import { renderText } from '../../src/render/text.ts';
import { EnvAccess } from '../../src/roles/access.ts';
import { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';
import { loadSeedKnowledge } from '../support/seeds.ts';

const UNSEEN = fileURLToPath(new URL('../fixtures/plans-unseen', import.meta.url));
const MAX_REPLY = 1500;

let k: Knowledge;
beforeAll(async () => {
  k = await loadSeedKnowledge([UNSEEN]);
});

const clock = new ManualClock(Date.UTC(2026, 5, 1));
const services = () =>
  ({ config: loadConfig({}), clock, log: createLogger('silent'), knowledge: k, access: new EnvAccess(new Set(), true) }) as unknown as Services;
const router = new Router([ask, pair, deadline, toc, help], { defaultCommand: 'ask' });
const inbound = (text: string, press?: Button): Inbound => ({
  platform: 'telegram',
  chat: { platform: 'telegram', chatId: '1' },
  chatType: 'private',
  user: { platform: 'telegram', id: '7' },
  text,
  ...(press ? { press: { action: press.action, value: press.value } } : {}),
  receivedAt: new Date(clock.now()),
});
const say = (text: string): Promise<Reply> => router.handle(inbound(text), services());
const press = (b: Button): Promise<ActionResult> => router.press(inbound('', b), services());
const buttons = (r: Reply) => (r.buttons ?? []).flat();

/**
 * Sentences (。；-terminated, ≥ 8 characters) that occur more than once in a text. Each block's
 * own 状态 line is its own fact (two relationships may both have ended in 2010), so not counted.
 */
function repeated(text: string): string[] {
  const seen = new Map<string, number>();
  for (const s of text.match(/[^。；\n]{8,}[。；]/g) ?? []) if (!s.startsWith('状态：')) seen.set(s, (seen.get(s) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([s]) => s);
}

describe('1. a clause that introduces a list brings its list', () => {
  it('answers with the clause and every item, and scores the clause with its items', async () => {
    const r = await say('东西部协作要坚持什么方针');
    const text = renderText(r);
    expect(text).toContain('应当坚持下列方针：');
    for (const item of ['政府引导', '互利共赢', '分类施策', '共建共享']) expect(text).toContain(item);
    // An item asked about directly still finds the list clause, which holds it.
    const a = k.answer('优势互补 互利共赢');
    expect(a.results[0]!.citation).toBe('《甘肃省东西部协作促进条例》第二条');
    expect(a.results[0]!.text).toContain('（四）坚持群众参与');
  });

  it('a list under a heading (一、资金用途 → 下列事项：) comes with its items; items are not repeated below it', async () => {
    const a = k.answer('协作资金可以用在哪里');
    const text = renderText(a.reply);
    for (const item of ['产业项目贴息', '劳务培训补助', '消费帮扶平台建设']) expect(text).toContain(item);
    expect(text.split('劳务培训补助').length).toBe(2);
  });

  it('a long list shows the first items and offers the rest behind 全文', async () => {
    const r = await say('乡村振兴 五项原则 坚持农业农村优先发展');
    const full = buttons(r).find((b) => b.action === 'ask.full');
    if (renderText(r).includes('另有')) expect(full).toBeDefined();
    expect(renderText(r).length).toBeLessThan(MAX_REPLY);
  });
});

describe('2. documents cited by their own title', () => {
  it('from the first # heading, a 《》 title line, or the file name as the last resort', () => {
    expect(k.answer('协作园区 入驻企业').results[0]!.citation).toMatch(/^《甘肃省东西部协作促进条例》第六条/);
    expect(k.answer('资金 专户管理 专款专用').results[0]!.citation).toMatch(/^《对口协作资金管理办法》二/);
    expect(k.docs.find((d) => d.file.endsWith('无题文件.txt'))?.meta.title).toBe('无题文件');
  });

  it('/toc counts articles and chapters apart; an outline never shows raw markdown or HTML comments', async () => {
    const list = renderText(await say('/toc'));
    expect(list).toContain('《甘肃省东西部协作促进条例》（7 条，3 章）');
    const outline = renderText(await say('/toc gansu-xiezuo-tiaoli'));
    expect(outline).toContain('提纲（7 条，3 章）');
    expect(outline).not.toMatch(/^\s*#/m);
    expect(outline).not.toContain('<!--');
  });
});

describe('3. dates and targets extracted from any document', () => {
  it('an effective date answers 何时施行 and reads 已施行 once past', async () => {
    const text = renderText(await say('这部促进条例从哪天开始施行'));
    expect(text).toContain('2024-03-01');
    expect(text).toContain('已施行');
    expect(text).toContain('《甘肃省东西部协作促进条例》第七条');
  });

  it('targets (到2030年, 规划期至2025年，展望到2035年) are in /deadline by year, with their clause', async () => {
    const y2030 = renderText(await say('/deadline 2030'));
    expect(y2030).toContain('引进企业不少于500家');
    expect(y2030).toContain('《甘肃省东西部协作促进条例》第四条');
    const y2035 = renderText(await say('/deadline 2035 --upcoming'));
    expect(y2035).toContain('展望到2035年');
    // A span already over (2017年至2020年) is not a target.
    expect(k.deadlines.all.some((d) => d.id.startsWith('auto-') && d.text.includes('2017年至2020年'))).toBe(false);
  });
});

describe('4. pairing questions in other words', () => {
  it.each([
    ['红河归哪个城市帮扶', ['上海', '红河']],
    ['迪庆州由哪里对口帮扶', ['上海', '迪庆']],
    ['遵义和上海的结对还在不在', ['遵义', '已移交']],
    ['阿克苏市和哪个城市结对', ['阿克苏', '上海']],
  ])('%s → the pairing answer', async (q, names) => {
    const a = k.answer(q);
    expect(a.intent).toBe('pairing');
    const text = renderText((await say(q)) as Reply);
    for (const n of names) expect(text).toContain(n);
  });

  it('/pair walks a county up to its prefecture, and history reads both ways', async () => {
    const county = renderText(await say('/pair 库车'));
    expect(county).toContain('阿克苏地区');
    expect(county).toContain('上海市');
    const from = renderText(await say('/pair 阿克苏'));
    expect(from).toMatch(/已调整.*喀什/);
    const to = renderText(await say('/pair 喀什'));
    expect(to).toMatch(/此前为阿克苏/);
  });

  it('alert routing agrees: 上海 is the current partner of 喀什, not of 阿克苏', () => {
    const graph = new KnowledgeRegionGraph(k.gazetteer, k.pairings.current());
    expect(graph.partners('aksu', ['active'])).not.toContain('shanghai');
    expect(graph.partners('kashgar', ['active'])).toContain('shanghai');
  });
});

describe('5. questions about numbers', () => {
  it('prefer the clause that states the number', () => {
    expect(k.answer('协作园区一共建了几个').results[0]!.text).toContain('68个');
    expect(k.answer('协作园区引进多少家企业').results.slice(0, 2).map((r) => r.text).join('')).toMatch(/500家|1200家/);
  });
});

describe('6. short pairing answers', () => {
  it('a long list is summarised by kind and region with counts, under 1,500 characters, no sentence twice', async () => {
    const r = await say('/pair 上海');
    const text = renderText(r);
    expect(text.length).toBeLessThan(MAX_REPLY);
    expect(repeated(text)).toEqual([]);
    expect(text).toMatch(/【对口支援】\d+ 个地区，\d+ 项记录/);
    const details = buttons(r).filter((b) => b.action === 'pair.kind');
    expect(details.length).toBeGreaterThan(2);
    // Each kind's details open behind its button, short too, with their citations and 原文 buttons.
    for (const b of details) {
      const res = await press(b);
      const shown = renderText(res.reply!);
      expect(shown.length).toBeLessThan(MAX_REPLY);
      expect(shown).toContain('——《');
      expect(repeated(shown)).toEqual([]);
      expect(buttons(res.reply!).some((x) => x.action === 'ask.full')).toBe(true);
    }
  });

  it('items are in date order within a kind', async () => {
    const res = await press({ label: '', action: 'pair.kind', value: 'shanghai|对口支援' });
    const text = renderText(res.reply!);
    const years = [...text.matchAll(/状态：规划期已结束（(\d{4})|期间：(\d{4})/g)].map((m) => Number(m[1] ?? m[2]));
    expect(years.length).toBeGreaterThan(1);
    expect([...years].sort((a, b) => a - b)).toEqual(years);
  });

  it('a stale or forged details button gets the stale-button toast', async () => {
    expect((await press({ label: '', action: 'pair.kind', value: 'nowhere|对口支援' })).toast).toBeDefined();
  });
});

describe('7. 更多结果 stays on topic', () => {
  it('pages stop when the scores fall off, and every shown clause shares the question\'s words', async () => {
    const q = '招商引资 平台';
    let r = await say(q);
    const seen = [renderText(r)];
    for (let i = 0; i < 10; i++) {
      const more = buttons(r).find((b) => b.action === 'ask.more');
      if (!more) break;
      const res = await press(more);
      if (!res.reply) break;
      r = res.reply;
      seen.push(renderText(r));
    }
    // Ten pages would reach into clauses that share one common word; the fall-off stops far earlier.
    expect(seen.length).toBeLessThan(6);
    for (const page of seen) for (const block of page.split('\n\n').filter((b) => b.includes('——《'))) expect(block).toMatch(/招商|平台/);
  });
});

describe('8. when a document was issued, and relations asked in everyday words', () => {
  it('answers 哪天印发 / 哪天通过 from the line that dates the document, with its issuer and number', async () => {
    // A notice signed in Chinese numerals (二〇〇七年三月二十八日), named by title or by number.
    for (const q of ['服务全国和对口帮扶十一五规划是哪天印发的', '沪府发〔2007〕11号是什么时候印发的']) {
      const a = k.answer(q);
      expect(a.intent).toBe('deadline');
      const text = renderText(a.reply);
      expect(text).toContain('2007年3月28日');
      expect(text).toContain('二〇〇七年三月二十八日');
      expect(text).toContain('沪府发〔2007〕11号');
      expect(text).toContain('——《上海市服务全国和对口帮扶“十一五”规划》前言');
    }
    // A statute never seen before: its head note says when it was passed.
    const passed = renderText(k.answer('甘肃省东西部协作促进条例哪天通过的').reply);
    expect(passed).toContain('《甘肃省东西部协作促进条例》的通过日期');
    expect(passed).toContain('2023年9月27日');
    // Only the front matter dates the Hangzhou plan: said so, not passed off as a line of the text.
    const fm = renderText(k.answer('杭州接轨上海参与长三角合作与交流工作意见什么时候印发的').reply);
    expect(fm).toContain('2011年');
    expect(fm).toContain('正文中没有写明日期');
  });

  it('an event the deadline table does not hold (通车) is answered from the clause that tells of it', () => {
    const a = k.answer('沪杭高铁是哪年通车的');
    expect(a.intent).toBe('clause');
    expect(a.results.slice(0, 3).some((r) => r.text.includes('2010年10月,沪杭高铁正式通车') || r.text.includes('2010年10月，沪杭高铁正式通车'))).toBe(true);
    // A question about the event inside a document, not the document's date, stays a clause question.
    expect(k.answer('破坏性地震临震预报发布后临震应急期多长').intent).toBe('clause');
  });

  it('spoken words (啥、要不要、那边) do not make a found clause look like a guess', () => {
    for (const [q, phrase] of [
      ['五小工程都包括啥', '小食堂'],
      ['阿克苏那边要不要援建博物馆啊', '援建地区博物馆'],
      ['沪连联席会议多久开一次', '聯席會議'],
    ] as const) {
      const a = k.answer(q);
      expect(a.reply.title).not.toBe('没有找到足够相关的条款');
      expect(a.results[0]!.text).toContain(phrase);
    }
  });

  it('啥关系 / 指的是哪两地 are pairing questions; between two provinces every line names both ends', () => {
    for (const q of ['上海和大连啥关系', '上海和遵义有啥关系']) expect(k.answer(q).intent).toBe('pairing');
    const huDian = k.answer('沪滇协作指的是哪两地');
    expect(huDian.intent).toBe('pairing');
    expect(renderText(huDian.reply)).toContain('云南');
    // Still a clause question when something of substance is left.
    expect(k.answer('上海和云南有啥合作项目').intent).toBe('clause');
    // Three cities and a province: the relationships between the named regions, no others.
    const three = k.answer('无锡、南通、扬州分别对应辽宁哪个城市');
    expect(three.intent).toBe('pairing');
    expect(three.results.map((r) => r.toName).sort()).toEqual(['丹东市', '盘锦市', '辽阳市'].sort());
    const text = renderText(k.answer('江苏有哪些城市和辽宁的城市结对').reply);
    for (const pair of ['无锡市—盘锦市', '南通市—辽阳市', '扬州市—丹东市', '泰州市—本溪市', '徐州市—抚顺市', '常州市—葫芦岛市']) expect(text).toContain(pair);
  });
});

describe('9. plan periods, bare region pairs and dates asked without a deadline word', () => {
  it('十五期间… lists the relationships of that plan period only', () => {
    const a = k.answer('十五期间上海对口支援了哪些地区');
    expect(a.intent).toBe('pairing');
    const text = renderText(a.reply);
    expect(text).toContain('日喀则');
    expect(text).not.toContain('喀什'); // paired in 2021–2025
    expect(a.results.length).toBeGreaterThan(0);
    expect(a.results.every((r) => r.type === 'pairing' && r.text.includes('（2001—2005）'))).toBe(true);
  });

  it('a place written in Latin letters (Shanghai, Wuxi) is the place', () => {
    const a = k.answer('Shanghai 对口支援 哪些地方');
    expect(a.intent).toBe('pairing');
    for (const name of ['日喀则', '阿克苏', '文山']) expect(renderText(a.reply)).toContain(name);
    expect(k.answer('Wuxi 的结对城市是哪个').results.map((r) => r.toName)).toContain('盘锦市');
  });

  it('two regions and nothing else (沪滇) ask for their relationships', () => {
    const a = k.answer('沪滇');
    expect(a.intent).toBe('pairing');
    expect(renderText(a.reply)).toContain('云南');
  });

  it('N年前 / N年底前 and English "take effect" are deadline questions', () => {
    const a = k.answer('2020年前要完成哪些任务');
    expect(a.intent).toBe('deadline');
    expect(a.results.length).toBeGreaterThan(0);
    expect(a.results.every((r) => r.due === '2020')).toBe(true);
    const en = k.answer('When does the 甘肃省东西部协作促进条例 take effect?');
    expect(en.intent).toBe('deadline');
    expect(renderText(en.reply)).toContain('2024年3月1日');
  });

  it('现在… puts the latest relationship first, the history after it', () => {
    const a = k.answer('上海和云南现在是什么协作关系');
    expect(a.results[0]).toMatchObject({ kind: '东西部协作' });
    expect(a.results.length).toBeGreaterThan(1);
    // Without 现在 the usual order (by kind, then date) holds.
    expect(k.answer('上海和云南是什么协作关系').results[0]!.kind).not.toBe('东西部协作');
  });

  it('a relationship the data dates only through its document shows that plan period, not 进行中', () => {
    const text = renderText(k.answer('上海和德宏是什么关系').reply);
    expect(text).toContain('规划期已结束（2006—2010）');
    expect(text).not.toContain('进行中');
  });
});

describe('10. a clause asked for by its number', () => {
  it('第七条 / 第7条 of the statute the question names is that article', () => {
    for (const q of ['甘肃省东西部协作促进条例第七条', '甘肃省东西部协作促进条例第7条说了什么']) {
      const a = k.answer(q);
      expect(a.intent).toBe('clause');
      expect(a.results[0]!.citation).toBe('《甘肃省东西部协作促进条例》第七条');
      expect(renderText(a.reply)).toContain('2024年3月1日');
    }
  });

  it('a document named by a shortened title (甘肃东西部协作条例) is that document', () => {
    expect(k.docsNamedIn('甘肃东西部协作条例第七条')[0]!.doc.meta.title).toBe('甘肃省东西部协作促进条例');
    expect(k.answer('甘肃东西部协作条例第七条').results[0]!.citation).toBe('《甘肃省东西部协作促进条例》第七条');
    // A long text holds many titles' characters in order by chance: it names nothing by that.
    const long = '甘肃省和东部地区的协作要在产业、劳务、消费、人才等方面全面推进，各地应当按照条例和规划的要求落实责任，促进共同发展';
    expect(k.docsNamedIn(long).map((x) => x.doc.meta.id)).not.toContain('gansu-xiezuo-tiaoli');
  });

  it('a found section heading (二、基本原则) answers with the parts under it, in the reply and behind 全文', async () => {
    const r = await say('辽苏对口合作遵循哪些基本原则');
    const text = renderText(r);
    for (const part of ['政府引導', '條塊結合', '合作共贏']) expect(text).toContain(part);
    expect(text).toContain('——《遼寧省與江蘇省對口合作實施方案》二');
    expect(text.length).toBeLessThan(MAX_REPLY);
    const a = k.answer('辽苏对口合作遵循哪些基本原则');
    const full = await press({ label: '', action: 'ask.full', value: a.results[0]!.clauseId });
    expect(renderText(full.reply!)).toContain('合作共贏');
  });

  it('a plan reference to a section heading brings what the section says', () => {
    const a = k.answer('十四五规划三（一）6');
    expect(a.results[0]!.citation).toBe('《上海对内开放与合作交流“十四五”规划》三（一）6');
    expect(a.results[0]!.text).toContain('推动民生持续改善');
    expect(a.results[0]!.text).toContain('五小工程');
    expect(renderText(a.reply).length).toBeLessThan(MAX_REPLY);
    // A plan's top-level part is its 第十三条 to an official.
    expect(k.answer('若干意见第十三条说了什么').results[0]!.citation).toBe('《关于进一步服务全国加强上海国内合作交流工作的若干意见》十三');
  });
});
