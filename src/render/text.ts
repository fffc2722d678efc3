/** Plain-text rendering of a Reply, for the console chat, the CLI and plain-text fallbacks. */
import { msg } from '../i18n/index.ts';
import type { Reply } from '../messages.ts';

export function renderText(reply: Reply): string {
  const parts: string[] = [];
  if (reply.title) parts.push(`【${reply.title}】`);
  for (const b of reply.blocks) {
    const lines: string[] = [];
    if (b.heading) lines.push(b.heading);
    if (b.text) lines.push(b.text);
    if (b.citation) lines.push(`——${b.citation}`);
    parts.push(lines.join('\n'));
  }
  if (reply.buttons?.length) {
    parts.push(reply.buttons.map((row) => row.map((b) => `[${b.label}]`).join(' ')).join('\n'));
  }
  if (reply.file) parts.push(`（${msg.platforms.attachment(reply.file.name)}）`);
  if (reply.footer) parts.push(reply.footer);
  return parts.join('\n\n');
}
