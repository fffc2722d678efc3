/**
 * Reply → Slack Block Kit. Title → header block, each reply block → a section (mrkdwn) with its
 * citation in a context block under it, buttons → actions blocks, footer → context. Slack caps a
 * section's text at 3000 characters, a header at 150, a message at 50 blocks and an actions
 * block at 25 elements, so long replies are split (into several sections, then several
 * messages). Every message also carries a plain-text fallback for notifications.
 *
 * Buttons: `action_id` must be unique within a message, so it is `xz|<action>|<row>.<col>`; the
 * button's value travels in `value`.
 */
import type { types } from '@slack/bolt';
import { msg } from '../../i18n/index.ts';
import type { Reply, ReplyFile } from '../../messages.ts';
import { slackCommandForm } from '../../render/commands.ts';
import { renderText } from '../../render/text.ts';
import { splitText } from '../../render/split.ts';

type KnownBlock = types.KnownBlock;

export const SLACK_SECTION_LIMIT = 3000;
const SLACK_HEADER_LIMIT = 150;
export const SLACK_BLOCKS_PER_MESSAGE = 50;
const BUTTONS_PER_ACTIONS = 25;
const BUTTON_LABEL_LIMIT = 75;
const BUTTON_VALUE_LIMIT = 2000;
/** Fallback text limit: Slack truncates text beyond 40,000 but notifications need far less. */
const FALLBACK_LIMIT = 3000;
const ACTION_PREFIX = 'xz|';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack mrkdwn needs only &, < and > escaped; everything else shows as typed. */
function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function actionId(action: string, row: number, col: number): string {
  return `${ACTION_PREFIX}${action}|${row}.${col}`;
}

/** The command action carried by one of our action_ids; undefined for anything else. */
export function parseActionId(id: string): string | undefined {
  if (!id.startsWith(ACTION_PREFIX)) return undefined;
  const rest = id.slice(ACTION_PREFIX.length);
  const bar = rest.lastIndexOf('|');
  return bar > 0 ? rest.slice(0, bar) : undefined;
}

/** Sections holding `text`; the first leaves `reserve` characters free for a heading. */
function sections(text: string, reserve = 0): KnownBlock[] {
  // splitText measures escaped length with & < > → entities, the same set Slack needs.
  return splitText(text, SLACK_SECTION_LIMIT - reserve).map((t) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: escapeMrkdwn(t) || ' ' },
  }));
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(text).slice(0, SLACK_SECTION_LIMIT) }] };
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The blocks of a reply, before splitting into messages. */
function renderSlackBlocks(original: Reply): KnownBlock[] {
  const reply = inSlackForm(original);
  const blocks: KnownBlock[] = [];
  const mark = reply.tone === 'error' ? ':warning: ' : reply.tone === 'internal' ? ':exclamation: ' : '';
  if (reply.title) {
    blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(reply.title, SLACK_HEADER_LIMIT) } });
  }
  reply.blocks.forEach((b, i) => {
    const prefix = !reply.title && i === 0 ? mark : '';
    // Heading and text share one section: a message holds only 50 blocks.
    const head = b.heading ? `*${escapeMrkdwn(truncate(b.heading, 200))}*` : '';
    const body = sections(prefix + b.text, head ? head.length + 1 : 0);
    if (head) {
      const first = body[0] as { text: { text: string } } | undefined;
      if (first && (prefix + b.text).trim()) first.text.text = `${head}\n${first.text.text}`;
      else body.splice(0, body.length, { type: 'section', text: { type: 'mrkdwn', text: head } });
    }
    blocks.push(...body);
    if (b.citation) blocks.push(context(`——${b.citation}`));
  });
  // The file itself is uploaded after these messages (SlackSender); only its name shows here.
  if (reply.file) blocks.push(context(msg.platforms.attachment(reply.file.name)));
  if (reply.footer) blocks.push(context(reply.footer));
  (reply.buttons ?? []).forEach((row, r) => {
    for (let start = 0; start < row.length; start += BUTTONS_PER_ACTIONS) {
      blocks.push({
        type: 'actions',
        elements: row.slice(start, start + BUTTONS_PER_ACTIONS).map((b, c) => ({
          type: 'button',
          text: { type: 'plain_text', text: truncate(b.label, BUTTON_LABEL_LIMIT) },
          action_id: actionId(b.action, r, start + c),
          value: b.value.slice(0, BUTTON_VALUE_LIMIT),
        })),
      });
    }
  });
  return blocks;
}

/** Command hints as Slack users type them (/xiezuo pair 大连), in every text a reply shows. */
function inSlackForm(reply: Reply): Reply {
  return {
    ...reply,
    ...(reply.title ? { title: slackCommandForm(reply.title) } : {}),
    blocks: reply.blocks.map((b) => ({ ...b, text: slackCommandForm(b.text), ...(b.heading ? { heading: slackCommandForm(b.heading) } : {}) })),
    ...(reply.footer ? { footer: slackCommandForm(reply.footer) } : {}),
  };
}

/** Reply → one or more Slack messages (more only when it exceeds 50 blocks). */
export function renderSlack(reply: Reply): SlackMessage[] {
  const blocks = renderSlackBlocks(reply);
  const fallback = truncate(renderText({ ...inSlackForm(reply), buttons: [] }), FALLBACK_LIMIT);
  if (blocks.length <= SLACK_BLOCKS_PER_MESSAGE) return [{ text: fallback, blocks }];
  const out: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += SLACK_BLOCKS_PER_MESSAGE) {
    const chunk = blocks.slice(i, i + SLACK_BLOCKS_PER_MESSAGE);
    out.push({ text: i === 0 ? fallback : chunk.map(blockText).filter(Boolean).join('\n').slice(0, FALLBACK_LIMIT) || ' ', blocks: chunk });
  }
  return out;
}

/**
 * A file's text as messages, for when it cannot be uploaded (the upload failed, or the answer
 * goes through a response_url, which takes no files): a short note, then the content in code
 * blocks split at line ends, so the whole file survives for copying rather than the first 3,000
 * characters.
 */
export function renderSlackFileFallback(file: ReplyFile): SlackMessage[] {
  const note = msg.platforms.fileInline(file.name);
  // Three backticks on each side; escaping may lengthen the text, so split on its escaped length.
  const room = SLACK_SECTION_LIMIT - 6;
  const chunks: string[] = [];
  let cur = '';
  for (const line of file.content.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')) {
    const esc = escapeMrkdwn(line);
    for (let i = 0; i < Math.max(esc.length, 1); i += room) {
      const piece = esc.slice(i, i + room);
      if (cur && cur.length + 1 + piece.length > room) {
        chunks.push(cur);
        cur = piece;
      } else cur = cur ? `${cur}\n${piece}` : piece;
    }
  }
  if (cur.trim()) chunks.push(cur);
  const blocks: KnownBlock[] = [context(note), ...chunks.map((c): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${c}\`\`\`` } }))];
  const out: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += SLACK_BLOCKS_PER_MESSAGE) {
    out.push({ text: i === 0 ? note : file.name, blocks: blocks.slice(i, i + SLACK_BLOCKS_PER_MESSAGE) });
  }
  return out;
}

/** One message for edits (chat.update cannot add messages): the first 50 blocks, marked when cut. */
export function renderSlackSingle(reply: Reply): SlackMessage {
  const blocks = renderSlackBlocks(reply);
  const fallback = truncate(renderText({ ...inSlackForm(reply), buttons: [] }), FALLBACK_LIMIT);
  if (blocks.length <= SLACK_BLOCKS_PER_MESSAGE) return { text: fallback, blocks };
  const actions = blocks.filter((b) => b.type === 'actions');
  const rest = blocks.filter((b) => b.type !== 'actions').slice(0, SLACK_BLOCKS_PER_MESSAGE - 1 - actions.length);
  return { text: fallback, blocks: [...rest, context(msg.platforms.truncated), ...actions].slice(0, SLACK_BLOCKS_PER_MESSAGE) };
}

function blockText(b: KnownBlock): string {
  if (b.type === 'section' && b.text) return b.text.text;
  if (b.type === 'header') return b.text.text;
  return '';
}
