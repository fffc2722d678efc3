/** /pair — a region's pairing relationships (对口支援, 对口合作, 结对 …), or those between two regions. */
import { knowledgeCommand } from './knowledge-command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { pairingAnswer } from '../src/knowledge/answer.ts';
import { answerButtons, parsePairKindValue } from '../src/knowledge/answer-buttons.ts';
import { mapButtonRow, pairMapReply, splitMapWord } from '../src/pictures/pair-reply.ts';

const T = msg.knowledge;

export const pair = knowledgeCommand('pair', ['pairs', '结对'], {
  async run(ctx, args) {
    const k = ctx.services.knowledge;
    if (!args.words.length) throw new UserError(T.pairEmpty, T.pairUsage);
    // `/pair 上海 图`: the last word asks for the pairing map.
    const { words, map } = splitMapWord(args.words);
    // Each word is one region name; a single word may also hold several (沪连, 上海和大连).
    const ids: string[] = [];
    for (const w of words) {
      const exact = k.gazetteer.resolve(w);
      const found = exact.length ? exact : [...new Set(k.gazetteer.mentions(w).flatMap((m) => m.regionIds))];
      if (!found.length) throw new UserError(T.unknownRegion(w), T.pairUsage);
      for (const id of found) if (!ids.includes(id)) ids.push(id);
    }
    // Three or more regions: the relationships among them (the map draws one region or a pair).
    const a = pairingAnswer(k, args.text, ids, { now: ctx.services.clock.now() });
    // 原文 buttons open the cited clauses (ask.full).
    const buttons = answerButtons(k, a);
    if (map) return pairMapReply(k, ctx.services.pictures, ids.slice(0, 2), ctx.services.clock.now(), a.reply);
    if (a.results.length && ids.length <= 2) buttons.push(mapButtonRow(ids));
    return buttons.length ? { ...a.reply, buttons } : a.reply;
  },
  actions: {
    // 关系图 under a pairing answer: value = the region ids it was about.
    map: {
      role: 'official',
      async run(ctx, value) {
        const k = ctx.services.knowledge;
        const ids = value.split(',').filter((id) => k.gazetteer.has(id)).slice(0, 2);
        if (!ids.length) return { toast: msg.common.staleButton };
        const now = ctx.services.clock.now();
        const text = pairingAnswer(k, '', ids, { now }).reply;
        return { reply: await pairMapReply(k, ctx.services.pictures, ids, now, text) };
      },
    },
    /** One kind of a summarised answer in detail, with 原文 buttons (value `region,region|kind`). */
    kind: {
      role: 'official',
      async run(ctx, value) {
        const v = parsePairKindValue(value);
        const k = ctx.services.knowledge;
        if (!v?.regionIds.every((id) => k.gazetteer.has(id))) return { toast: msg.common.staleButton };
        const a = pairingAnswer(k, v.kind, v.regionIds, { now: ctx.services.clock.now(), kind: v.kind });
        const buttons = answerButtons(k, a);
        return { reply: buttons.length ? { ...a.reply, buttons } : a.reply };
      },
    },
  },
});
