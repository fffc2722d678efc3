/**
 * `/pair 上海 图` and the 关系图 button: the pairing map as the answer, its text equivalent as the
 * reply's text. Without a picture (no font, no pictures in this process) the usual text answer
 * is given instead, so the question is always answered.
 */
import { msg } from '../i18n/index.ts';
import type { KnowledgeView } from '../knowledge/view.ts';
import type { Button, Reply } from '../messages.ts';
import { pairMapPicture } from './pair-map.ts';
import type { Pictures } from './pictures.ts';

const T = msg.pictures;
const ACTION_MAP = 'pair.map';

/** Whether the last word asks for the picture (图, 关系图 …); the rest are region names. */
export function splitMapWord(words: readonly string[]): { words: string[]; map: boolean } {
  const last = words.at(-1)?.toLowerCase();
  if (words.length > 1 && last !== undefined && T.mapWords.includes(last)) return { words: words.slice(0, -1), map: true };
  return { words: [...words], map: false };
}

/** The 关系图 button under a pairing answer about these regions. */
export function mapButtonRow(regionIds: readonly string[]): Button[] {
  return [{ label: T.mapButton, action: ACTION_MAP, value: regionIds.slice(0, 2).join(',') }];
}

export async function pairMapReply(k: KnowledgeView, pictures: Pictures | undefined, regionIds: readonly string[], now: number, textAnswer: Reply): Promise<Reply> {
  const picture = pairMapPicture(k, regionIds, now);
  if (!picture || !pictures) return textAnswer;
  const title = T.mapTitle(regionIds.map((r) => k.gazetteer.nameOf(r)).join('—'));
  const reply = await pictures.attach({ title, blocks: [{ text: picture.alt }], tone: 'answer' }, picture);
  if (reply.image) return { ...reply, image: { ...reply.image, standalone: true } };
  // No picture (no font, or the render failed): the text answer under the note attach() put
  // first — not a second render of the same picture.
  return { ...textAnswer, blocks: [reply.blocks[0]!, ...textAnswer.blocks] };
}
