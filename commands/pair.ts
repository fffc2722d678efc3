/** /pair — a region's pairing relationships (对口支援, 对口合作, 结对 …), or those between two regions. */
import type { ParsedArgs } from '../src/args.ts';
import { defineCommand } from '../src/command.ts';
import type { KnowledgeServices } from '../src/services.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { pairingAnswer } from '../src/knowledge/answer.ts';
import { answerButtons, parsePairKindValue } from '../src/knowledge/answer-buttons.ts';

const T = msg.knowledge;

export const pair = defineCommand<ParsedArgs, KnowledgeServices>({
  name: 'pair',
  aliases: ['pairs', '结对'],
  role: 'official',
  summary: T.pairSummary,
  usage: T.pairUsage,
  async run(ctx, args) {
    const k = ctx.services.knowledge;
    if (!args.words.length) throw new UserError(T.pairEmpty, T.pairUsage);
    // Each word is one region name; a single word may also hold several (沪连, 上海和大连).
    const ids: string[] = [];
    for (const w of args.words) {
      const exact = k.gazetteer.resolve(w);
      const found = exact.length ? exact : [...new Set(k.gazetteer.mentions(w).flatMap((m) => m.regionIds))];
      if (!found.length) throw new UserError(T.unknownRegion(w), T.pairUsage);
      for (const id of found) if (!ids.includes(id)) ids.push(id);
    }
    const a = pairingAnswer(k, args.text, ids.slice(0, 2), { now: ctx.services.clock.now() });
    // 原文 buttons open the cited clauses (ask.full).
    const buttons = answerButtons(k, a);
    return buttons.length ? { ...a.reply, buttons } : a.reply;
  },
  actions: {
    /** One kind of a summarised answer in detail, with 原文 buttons (value `region,region|kind`). */
    kind: {
      role: 'official',
      async run(ctx, value) {
        const v = parsePairKindValue(value);
        const k = ctx.services.knowledge;
        if (!v || !v.regionIds.every((id) => k.gazetteer.has(id))) return { toast: msg.common.staleButton };
        const a = pairingAnswer(k, v.kind, v.regionIds, { now: ctx.services.clock.now(), kind: v.kind });
        const buttons = answerButtons(k, a);
        return { reply: buttons.length ? { ...a.reply, buttons } : a.reply };
      },
    },
  },
});
