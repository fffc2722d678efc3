/** The Telegram and Slack renderers and the callback-data codec (pure functions). */
import { describe, expect, it } from 'vitest';
import { msg } from '../../src/i18n/index.ts';
import type { Reply } from '../../src/messages.ts';
import { splitText } from '../../src/render/split.ts';
import { CALLBACK_DATA_MAX_BYTES, MemoryCallbackStore, decodeCallback, encodeCallback } from '../../src/platforms/telegram/callbacks.ts';
import { escapeHtml, renderTelegram, renderTelegramParts, renderTelegramSingle } from '../../src/platforms/telegram/render.ts';
import { SLACK_BLOCKS_PER_MESSAGE, SLACK_SECTION_LIMIT, actionId, parseActionId, renderSlack, renderSlackSingle } from '../../src/platforms/slack/render.ts';

describe('splitText', () => {
  it('prefers line ends, then sentence ends, and never exceeds the budget after escaping', () => {
    const text = Array.from({ length: 50 }, (_, i) => `第${i}行：${'甲&乙<丙>'.repeat(10)}。`).join('\n');
    const pieces = splitText(text, 500);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(escapeHtml(p).length).toBeLessThanOrEqual(500);
    for (const p of pieces) expect(p.startsWith('第')).toBe(true);
    expect(pieces.join('\n')).toBe(text);
    // No line break at all: cut at a sentence end.
    const one = '句子很长。'.repeat(300);
    for (const p of splitText(one, 400)) {
      expect(p.length).toBeLessThanOrEqual(400);
      expect(p.endsWith('。')).toBe(true);
    }
  });
});

describe('Telegram render', () => {
  it('escapes &, < and > everywhere and keeps citations with their block', () => {
    const r = renderTelegramParts({ title: 'A&B', blocks: [{ heading: '<h>', text: 'x < y && z > 0', citation: '《规划》一' }], footer: 'f<' });
    expect(r).toEqual(['<b>A&amp;B</b>\n\n<b>&lt;h&gt;</b>\nx &lt; y &amp;&amp; z &gt; 0\n<i>——《规划》一</i>\n\n<i>f&lt;</i>']);
  });

  it('splits a 20,000-character clause into parts within 4096 and a one-message edit is cut with a marker', () => {
    const reply: Reply = { blocks: [{ heading: '第一条', text: '内容。'.repeat(7000), citation: '《规划》' }] };
    const parts = renderTelegramParts(reply);
    expect(parts.length).toBeGreaterThanOrEqual(5);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts[0]!.startsWith('<b>第一条</b>')).toBe(true);
    expect(parts.at(-1)!.endsWith('<i>——《规划》</i>')).toBe(true);
    const single = renderTelegramSingle(reply);
    expect(single.length).toBeLessThanOrEqual(4096);
    expect(single).toContain(msg.platforms.truncated);
  });

  it('encodes buttons within 64 bytes, inline when short and as a token when long', async () => {
    const store = new MemoryCallbackStore();
    const long = '沪滇协作'.repeat(20);
    const r = await renderTelegram({ blocks: [{ text: 'x' }], buttons: [[{ label: 'a', action: 'clause.full', value: 'sh-fyp11:3.2' }, { label: 'b', action: 'clause.full', value: long }]] }, store);
    const [a, b] = r.keyboard!.inline_keyboard[0]!;
    expect(a).toEqual({ text: 'a', callback_data: 'clause.full|sh-fyp11:3.2' });
    const data = (b as { callback_data: string }).callback_data;
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(await decodeCallback(store, data)).toEqual({ action: 'clause.full', value: long });
    expect(await encodeCallback(store, 'clause.full', long)).toBe(data);
    expect(await decodeCallback(store, 'no-bar')).toBeUndefined();
  });
});

describe('Slack render', () => {
  it('renders header, sections, citation context, footer and unique button action ids', () => {
    const [m] = renderSlack({
      title: '结对关系',
      blocks: [{ heading: '大连', text: '上海 & 大连 <对口合作>', citation: '《沪连合作》二' }],
      footer: '用法：/xiezuo pair 地名',
      buttons: [[{ label: '全文', action: 'clause.full', value: '1' }, { label: '全文', action: 'clause.full', value: '2' }]],
    });
    expect(m!.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'context', 'actions']);
    expect((m!.blocks[1] as { text: { text: string } }).text.text).toBe('*大连*\n上海 &amp; 大连 &lt;对口合作&gt;');
    const ids = (m!.blocks[4] as { elements: Array<{ action_id: string }> }).elements.map((e) => e.action_id);
    expect(new Set(ids).size).toBe(2);
    expect(ids.map(parseActionId)).toEqual(['clause.full', 'clause.full']);
    expect(parseActionId('someone_else')).toBeUndefined();
    expect(parseActionId(actionId('a.b', 1, 2))).toBe('a.b');
    expect(m!.text).toContain('上海 & 大连');
  });

  it('keeps sections within 3000 characters and messages within 50 blocks', () => {
    const reply: Reply = { blocks: Array.from({ length: 40 }, (_, i) => ({ text: `第${i}段`.repeat(700), citation: `c${i}` })) };
    const msgs = renderSlack(reply);
    expect(msgs.length).toBeGreaterThan(1);
    for (const m of msgs) {
      expect(m.blocks.length).toBeLessThanOrEqual(SLACK_BLOCKS_PER_MESSAGE);
      for (const b of m.blocks) if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_SECTION_LIMIT);
      expect(m.text.length).toBeGreaterThan(0);
    }
    const single = renderSlackSingle({ ...reply, buttons: [[{ label: 'x', action: 'a.b', value: '1' }]] });
    expect(single.blocks.length).toBeLessThanOrEqual(SLACK_BLOCKS_PER_MESSAGE);
    expect(single.blocks.at(-1)!.type).toBe('actions');
  });
});
