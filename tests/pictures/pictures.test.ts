/**
 * The three pictures drawn from the seeds and rasterised for real (worker thread, resvg, Noto
 * Sans CJK): size, ink where the nodes and bars are, Chinese glyphs drawn (against a render with
 * no font), the text equivalent, the cache, and the text answer when no CJK font is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../../src/i18n/index.ts';
import type { Knowledge } from '../../src/knowledge/knowledge.ts';
import { ackTimelinePicture } from '../../src/pictures/ack-timeline.ts';
import { BAR_COLOURS, deliveryChartPicture } from '../../src/pictures/delivery-chart.ts';
import { findCjkFont } from '../../src/pictures/fonts.ts';
import { pairMapPicture } from '../../src/pictures/pair-map.ts';
import type { Picture } from '../../src/pictures/picture.ts';
import { Pictures } from '../../src/pictures/pictures.ts';
import { Rasterizer } from '../../src/pictures/rasterizer.ts';
import { type Decoded, decodePng, diffIn, inkIn } from './png.ts';
import { NOW, seedAlert, seedBroadcast } from './fixture.ts';
import { loadSeedKnowledge } from '../support/seeds.ts';

const T = msg.pictures;
let k: Knowledge;
const font = findCjkFont();
const withFont = new Rasterizer(font);
const noFont = new Rasterizer(undefined);

beforeAll(async () => {
  k = await loadSeedKnowledge();
});
afterAll(async () => {
  await withFont.close();
  await noFont.close();
});

async function both(p: Picture): Promise<{ img: Decoded; bare: Decoded; png: Uint8Array }> {
  const [a, b] = await Promise.all([withFont.render(p.svg), noFont.render(p.svg)]);
  return { img: decodePng(a.png), bare: decodePng(b.png), png: a.png };
}

/** What every picture must show: its size, ink in each mark, and real glyphs in its title. */
async function checkPicture(p: Picture): Promise<Decoded> {
  const { img, bare } = await both(p);
  expect([img.width, img.height]).toEqual([p.width, p.height]);
  expect(p.marks.length).toBeGreaterThan(0);
  for (const m of p.marks) expect(inkIn(img, m), `mark at ${m.x},${m.y}`).toBeGreaterThan(m.w * m.h * 0.03);
  // The title is text only: drawn with the font, absent without it (never boxes of tofu).
  expect(inkIn(img, p.titleBox)).toBeGreaterThan(p.titleBox.w * p.titleBox.h * 0.05);
  expect(inkIn(bare, p.titleBox)).toBe(0);
  expect(diffIn(img, bare, p.titleBox)).toBeGreaterThan(200);
  return img;
}

describe('pictures from the seeds', () => {
  it('finds Debian’s Noto Sans CJK (fonts-noto-cjk; .ci/run installs it)', () => {
    expect(font?.family).toBe('Noto Sans CJK SC');
  });

  it('draws 上海’s pairing map: every partner a node in its province box, 上海 highlighted', async () => {
    const p = pairMapPicture(k, ['shanghai'], NOW)!;
    expect(p.width).toBe(1280);
    const img = await checkPicture(p);
    // One node per partner and per 上海 side (上海市, 浦东, 张江, 自贸区).
    const partners = new Set(k.pairings.within('shanghai').flatMap((x) => [x.from, x.to]));
    expect(p.marks.length).toBe(partners.size);
    // The asked region's box is filled with the highlight colour.
    const home = p.marks.find((m) => m.x < 100 && m.h >= 48)!;
    const i = (Math.floor(home.y + home.h - 10) * img.width + Math.floor(home.x + home.w - 10)) * 4;
    expect([...img.rgba.subarray(i, i + 3)]).toEqual([0xff, 0xf3, 0xc4]);
    // The text equivalent names every relationship with its kind, years and state.
    expect(p.alt).toContain('上海市 — 日喀则市：对口支援，2001–2005、2006–2010、2021–2025，已结束');
    expect(p.alt).toContain('上海市 — 遵义市：东西部协作，已移交');
    expect(p.alt).toContain('浦东新区 — 大连金普新区：对口合作');
    expect(p.alt.split('\n').length - 1).toBe(25);
  });

  it('draws a map of two regions and of a province with only sub-regions paired', async () => {
    await checkPicture(pairMapPicture(k, ['shanghai', 'dalian'], NOW)!);
    const ln = pairMapPicture(k, ['liaoning'], NOW)!;
    expect(ln.alt).toContain('盘锦市 — 无锡市：结对合作');
    await checkPicture(ln);
  });

  it('draws the delivery chart of a broadcast to 沪滇: a bar for the group and for each platform', async () => {
    const { b, outcomes } = seedBroadcast();
    const p = deliveryChartPicture(b, outcomes)!;
    const img = await checkPicture(p);
    expect(p.marks).toHaveLength(4); // group, Telegram, Slack, console
    const green = p.marks[0]!;
    const i = (Math.floor(green.y + 4) * img.width + Math.floor(green.x + 4)) * 4;
    expect([...img.rgba.subarray(i, i + 3)]).toEqual([0x2c, 0xa0, 0x2c].map((x) => x));
    expect(BAR_COLOURS.delivered).toBe('#2ca02c');
    expect(p.alt).toContain(T.chartAltLine(T.chartGroupRow('沪滇'), 2, b.total - 3, 1, b.total));
    expect(p.alt).toContain(T.chartAltLine(T.chartPlatformRow('Slack'), 0, 0, 1, 1));
  });

  it('draws the acknowledgement timeline of a 文山 alert: a row per notified group', async () => {
    const { a, timeline } = seedAlert();
    const p = ackTimelinePicture(a, timeline, 'Asia/Shanghai')!;
    await checkPicture(p);
    const groups = a.notified.filter((r) => r.role !== 'condolence').map((r) => r.group);
    expect(p.marks).toHaveLength(new Set(groups).size);
    const first = groups[0]!;
    expect(p.alt).toContain(T.timelineAltLine(first, '14:00', '14:04', false));
    expect(p.alt).toContain('尚未确认');
  });

  it('caches a PNG by content hash: the same picture is not rendered twice', async () => {
    const p = pairMapPicture(k, ['dalian'], NOW)!;
    const a = await withFont.render(p.svg);
    const b = await withFont.render(pairMapPicture(k, ['dalian'], NOW)!.svg);
    expect(b).toBe(a);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('Pictures.attach', () => {
  it('attaches the PNG with its text equivalent', async () => {
    const pictures = new Pictures({ font: font ?? null });
    try {
      const p = pairMapPicture(k, ['dalian'], NOW)!;
      const r = await pictures.attach({ blocks: [{ text: '大连' }] }, p);
      expect(r.image).toMatchObject({ alt: p.alt, name: 'pair-map-dalian.png', width: p.width, height: p.height });
      expect(decodePng(r.image!.png).width).toBe(p.width);
    } finally {
      await pictures.close();
    }
  });

  it('without a CJK font answers in text, saying so in Chinese, with no image', async () => {
    const pictures = new Pictures({ font: null });
    const r = await pictures.attach({ title: 't', blocks: [{ text: '文字版' }] }, pairMapPicture(k, ['dalian'], NOW));
    expect(r.image).toBeUndefined();
    expect(r.blocks.map((b) => b.text)).toEqual([T.noFont, '文字版']);
    await pictures.close();
  });

  it('finds no font where none is installed', () => {
    expect(findCjkFont(['/nonexistent-font-dir'])).toBeUndefined();
  });
});

describe('characters the font lacks', () => {
  it('are left out, not drawn as boxes', async () => {
    const svg = (s: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="100%" height="100%" fill="#ffffff"/><text x="10" y="40" font-size="32" fill="#000000">${s}</text></svg>`;
    // U+E000 is a private-use code point: no font has a glyph for it.
    const missing = decodePng((await withFont.render(svg('\u{E000}\u{E001}'))).png);
    expect(inkIn(missing, { x: 0, y: 0, w: 200, h: 60 })).toBe(0);
    const drawn = decodePng((await withFont.render(svg('协作'))).png);
    expect(inkIn(drawn, { x: 0, y: 0, w: 200, h: 60 })).toBeGreaterThan(100);
  });
});
