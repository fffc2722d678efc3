/** Routing, ranking and honest "no match" answers, through Knowledge and the chat commands. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvAccess } from '../../src/roles/access.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { dateIn } from '../../src/knowledge/doc-dates.ts';
import type { Knowledge } from '../../src/knowledge/knowledge.ts';
import { parseNumeral } from '../../src/knowledge/parser.ts';
import { createLogger } from '../../src/log.ts';
import type { Inbound } from '../../src/messages.ts';
import { renderText } from '../../src/render/text.ts';
import { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';
import { ask } from '../../commands/ask.ts';
import { deadline } from '../../commands/deadline.ts';
import { help } from '../../commands/help.ts';
import { pair } from '../../commands/pair.ts';
import { toc } from '../../commands/toc.ts';
import { loadSeedKnowledge } from '../support/seeds.ts';

let k: Knowledge;
beforeAll(async () => {
  k = await loadSeedKnowledge();
});

describe('ranking', () => {
  it('puts the clause that holds the asked phrase first, parent before its children', () => {
    expect(k.search('两级政府国内合作交流联席会议制度', 3)[0]!.clause.ref).toBe('十三');
    expect(k.search('对口帮扶云南文山、红河、思茅、迪庆四州市', 3)[0]!.clause.ref).toBe('三（二）1（3）');
    expect(k.search('盘锦 无锡 互联网+', 3)[0]!.clause.citation).toBe('《遼寧省與江蘇省對口合作實施方案》四（二）7');
  });

  it('ignores question words', () => {
    const a = k.search('驻外办事机构应发挥什么作用', 3).map((h) => h.clause.id);
    const b = k.search('驻外办事机构 作用', 3).map((h) => h.clause.id);
    expect(a[0]).toBe(b[0]);
  });

  it('returns nothing for text the documents never use', () => {
    expect(k.search('哈利波特', 3)).toEqual([]);
  });
});

describe('routing', () => {
  it('routes region + pairing words to the pairing answer, grouped by kind with citations', () => {
    const a = k.answer('上海对口支援哪些地区');
    expect(a.intent).toBe('pairing');
    const text = renderText(a.reply);
    // A long list is summarised by kind and region; each clause's citation is one button away.
    for (const name of ['日喀则', '阿克苏', '文山', '对口支援', '对口帮扶', '——《上海市服务全国和对口帮扶“十一五”规划》']) expect(text).toContain(name);
    expect(text.length).toBeLessThan(1500);
    expect(a.pairKinds?.map((x) => x.kind)).toContain('对口支援');
    expect(a.results.every((r) => r.type === 'pairing' && r.citation.startsWith('《'))).toBe(true);
    expect(k.answer('无锡和哪个城市结对').results.map((r) => r.toName)).toContain('盘锦市');
  });

  it('answers a question about the current state of a pairing with the pairing and its status', () => {
    const a = k.answer('遵义现在还是上海对口帮扶吗');
    expect(a.intent).toBe('pairing');
    const text = renderText(a.reply);
    expect(text).toContain('已移交');
    expect(text).toContain('《上海对内开放与合作交流“十四五”规划》');
  });

  it('sends a question with substance beyond regions and pairing words to clause search', () => {
    const a = k.answer('沪连对口合作的三级工作保障机制');
    expect(a.intent).toBe('clause');
    expect(a.results[0]!.text).toContain('三級工作保障機制');
  });

  it('routes deadline words to the deadline answer', () => {
    const a = k.answer('沪连对口合作的目标期限是哪一年');
    expect(a.intent).toBe('deadline');
    expect(a.results[0]).toMatchObject({ type: 'deadline', due: '2020' });
    expect(renderText(a.reply)).toContain('2020年');
  });

  it('says so when nothing matches well, suggests what to try, and invents nothing', () => {
    const none = k.answer('哈利波特');
    expect(none.results).toEqual([]);
    expect(none.reply.title).toBe('没有找到足够相关的条款');
    expect(none.reply.footer).toContain('/toc');
    const weak = k.answer('今天的天气预报怎么样');
    expect(weak.reply.title).toBe('没有找到足够相关的条款');
  });
});

describe('dates written in a document', () => {
  it('reads digits and Chinese numerals, tens included', () => {
    expect(dateIn('二〇〇七年三月二十八日')).toEqual([2007, 3, 28]);
    expect(dateIn('二〇一〇年十月一日')).toEqual([2010, 10, 1]);
    expect(dateIn('二〇二一年十二月三十日')).toEqual([2021, 12, 30]);
    expect(dateIn('2021年4月29日 第十三届全国人民代表大会常务委员会第二十八次会议通过')).toEqual([2021, 4, 29]);
    expect(dateIn('到2025年完成')).toBeUndefined();
  });
});

describe('what a question names besides words', () => {
  // A statute where the term asked about fills other articles more than its definition.
  const STATUTE = [
    '# 某省协作园区促进条例',
    '',
    '第一条 协作园区建设应当坚持规划引领。协作园区的产业布局、协作园区的用地保障和协作园区的招商引资，由省人民政府统筹。',
    '',
    '第二条 本条例所称协作园区，是指由东西部协作双方共同规划、共同建设的产业园区。',
    '',
    '第三条 协作园区管理机构负责协作园区日常运营，协作园区入驻企业享受协作园区优惠政策。',
    '',
    '第四条 任何单位不得虚报协作项目，不得挪用协作资金。',
    '',
    '第五条 违反本条例规定，虚报协作项目或者挪用协作资金的，由省人民政府责令限期改正，对直接负责的主管人员依法给予处分。',
  ].join('\n');
  let dir: string;
  let kk: Knowledge;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-defs-'));
    writeFileSync(join(dir, 'statute.txt'), STATUTE);
    kk = await loadSeedKnowledge([dir]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a definition question finds the defining article, with or without the statute named', () => {
    for (const q of ['什么叫协作园区', '某省协作园区促进条例里的“协作园区”是指什么']) {
      expect(kk.answer(q).results[0]!.citation).toBe('《某省协作园区促进条例》第二条');
    }
    // Without the question of meaning, the article that uses the words most still ranks first.
    expect(kk.answer('协作园区 招商引资 用地保障').results[0]!.citation).toBe('《某省协作园区促进条例》第一条');
  });

  it('a penalty question finds the article that says what follows, not the prohibition that repeats its words', () => {
    expect(kk.answer('虚报协作项目会受到什么处罚').results[0]!.citation).toBe('《某省协作园区促进条例》第五条');
    expect(kk.answer('虚报协作项目').results[0]!.citation).toBe('《某省协作园区促进条例》第四条');
  });

  it('a five-year plan named by its number (十一五规划) tells apart the plans that share a section number', () => {
    expect(k.answer('十一五规划三（一）4').results[0]!.citation).toBe('《上海市服务全国和对口帮扶“十一五”规划》三（一）4');
    expect(k.answer('十四五规划三（一）4').results[0]!.citation).toBe('《上海对内开放与合作交流“十四五”规划》三（一）4');
  });
});

describe('article numbers', () => {
  it('reads Chinese numerals up to the hundreds, and digits (parseNumeral, which clause references use)', () => {
    expect(['七十四', '十五', '十', '一百零二', '一百二十', '两百', '9', '74'].map(parseNumeral)).toEqual([74, 15, 10, 102, 120, 200, 9, 74]);
    expect(parseNumeral('第三')).toBeUndefined();
  });
});

describe('deadlines', () => {
  it('queries by region, department and year, and marks overdue/upcoming against the clock', () => {
    expect(k.deadlines.byOwner('市科技局').map((d) => d.id)).toEqual(expect.arrayContaining(['hz2011-task-19', 'hz2011-task-20']));
    expect(k.deadlines.byYear(2025).length).toBeGreaterThan(0);
    expect(k.deadlines.byRegion('dalian').every((d) => d.regions.some((r) => k.gazetteer.within(r, 'dalian')))).toBe(true);
    const in2019 = Date.UTC(2019, 5, 1);
    expect(k.deadlines.upcoming(in2019).map((d) => d.due)).toContain('2020');
    expect(k.deadlines.overdue(in2019).every((d) => Number(d.due!.slice(0, 4)) < 2019 || d.due!.length > 4)).toBe(true);
    expect(k.deadlines.upcoming(Date.UTC(2030, 0, 1))).toEqual([]);
  });
});

describe('knowledge commands through the router', () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const services = () =>
    ({ config: loadConfig({}), clock, log: createLogger('silent'), knowledge: k, access: new EnvAccess(new Set(), true) }) as unknown as Services;
  const router = () => new Router([ask, pair, deadline, toc, help], { defaultCommand: 'ask' });
  const say = async (text: string) => {
    const inbound: Inbound = {
      platform: 'telegram',
      chat: { platform: 'telegram', chatId: '1' },
      chatType: 'private',
      user: { platform: 'telegram', id: '7' },
      text,
      receivedAt: new Date(clock.now()),
    };
    return router().handle(inbound, services());
  };

  it('/pair with one or two regions, and a clear error for an unknown one', async () => {
    expect(renderText(await say('/pair 扬州'))).toContain('丹东市');
    // Invisible characters pasted with a name are not part of it; nothing but them is an empty message.
    expect(renderText(await say('/pair 扬\u200b州'))).toContain('丹东市');
    expect(renderText(await say('\u200b\ufeff \u200b'))).toContain('请输入问题或命令');
    expect(renderText(await say('/pair 沪 连'))).toContain('上海市与大连市之间');
    // A third region is not dropped: the relationships among all three.
    const three = renderText(await say('/pair 无锡 南通 辽宁'));
    expect(three).toContain('无锡市、南通市与辽宁省之间');
    for (const city of ['盘锦市', '辽阳市']) expect(three).toContain(city);
    const bad = await say('/pair 火星');
    expect(bad.tone).toBe('error');
    expect(bad.blocks[0]!.text).toContain('不认识地区“火星”');
    expect(bad.footer).toContain('/pair');
  });

  it('/deadline filters by year, region and department with --upcoming against the clock', async () => {
    const y = renderText(await say('/deadline 2025 --upcoming'));
    expect(y).toContain('2025年');
    expect(y).toContain('（未到期）');
    const dept = renderText(await say('/deadline 市科技局'));
    expect(dept).toContain('促成20项科研开发合作项目');
    clock.set(Date.UTC(2026, 0, 1));
    expect(renderText(await say('/deadline 大连 2020'))).toContain('（已过期）');
    const bad = await say('/deadline 20255');
    expect(bad.tone).toBe('error');
  });

  it('/deadline refuses what it cannot honour: both states, a value on a switch, a one-dash option; full-width digits are digits', async () => {
    for (const [text, says] of [
      ['/deadline --overdue --upcoming', '只能选一个'],
      ['/deadline 大连 --upcoming=no', '选项 --upcoming 不带取值'],
      ['/deadline 大连 -x', '不认识的选项 --x'],
      ['/deadline 大连 —overdu', '是不是 --overdue'],
      ['/deadline ２５', '年份“25”不对'],
    ] as const) {
      const r = await say(text);
      expect(r.tone).toBe('error');
      expect(renderText(r)).toContain(says);
      expect(renderText(r)).toContain('用法');
    }
    expect(renderText(await say('/deadline ２０２０ 大连'))).toBe(renderText(await say('/deadline 2020 大连')));
  });

  it('/deadline words that name Object members are plain search words, never a subcommand', async () => {
    // Answered as any word the documents never use is: the same reply, not a subcommand's usage.
    const plain = renderText(await say('/deadline xyzzyq'));
    for (const word of ['constructor', '__proto__', 'toString']) {
      const reply = await say(`/deadline ${word}`);
      expect(renderText(reply).length).toBeGreaterThan(0);
      expect(renderText(reply)).not.toContain('错误编号');
      expect(renderText(reply).replaceAll(word, 'xyzzyq')).toBe(plain);
    }
  });

  it('/toc lists documents and shows an outline; /help lists the commands; plain text is asked', async () => {
    expect(renderText(await say('/toc'))).toContain('sh-fyp11');
    const outline = renderText(await say('/toc 十四五'));
    expect(outline).toContain('《上海对内开放与合作交流“十四五”规划》提纲');
    expect(outline).toContain('  （一）过去五年主要成就');
    expect((await say('/toc 不存在的文件')).tone).toBe('error');
    const helpText = renderText(await say('/help'));
    for (const c of ['/ask', '/pair', '/deadline', '/toc', '/help']) expect(helpText).toContain(c);
    expect(renderText(await say('白玉兰远程医学网'))).toContain('“白玉兰”远程医学网建设');
    expect((await say('/ask')).tone).toBe('error');
  });
});
