/**
 * The console chat: what `npm start` opens when neither Telegram nor Slack is configured, so the
 * bot can be tried with no accounts at all. Lines typed are Inbound messages from one local
 * user in a private chat; buttons of the last reply are pressed with `!1`, `!2`, …
 * The console Sender prints deliveries (broadcasts, reminders, alerts) to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { msg } from '../i18n/index.ts';
import type { Button, Destination, Inbound, Reply, ReplyImage } from '../messages.ts';
import { renderText } from '../render/text.ts';
import type { Router } from '../router.ts';
import type { Sender, SentMessage } from '../delivery/sender.ts';
import type { Services } from '../services.ts';

const CONSOLE_CHAT: Destination = { platform: 'console', chatId: 'local' };
const CONSOLE_USER = { platform: 'console' as const, id: 'local', name: 'console' };
/** Where the console saves pictures (a terminal cannot show them): one file per content hash. */
const CONSOLE_PICTURE_DIR = join(tmpdir(), 'xiezuo-pictures');

/** Save a reply's picture and return the line naming the file. */
function savePicture(image: ReplyImage, dir = CONSOLE_PICTURE_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${image.name.replace(/\.png$/i, '')}-${image.hash.slice(0, 12)}.png`);
  writeFileSync(path, image.png);
  return msg.pictures.saved(path);
}

/** Prints what jobs deliver, with where it was meant to go. */
export class ConsoleSender implements Sender {
  readonly platform = 'console' as const;
  private seq = 0;
  constructor(
    private readonly out: Writable = process.stdout,
    private readonly pictureDir = CONSOLE_PICTURE_DIR,
  ) {}
  async send(to: Destination, reply: Reply): Promise<SentMessage> {
    const id = String(++this.seq);
    this.out.write(`\n[→ ${to.chatId}${to.threadId ? `/${to.threadId}` : ''} #${id}]\n${renderText(reply)}\n`);
    if (reply.image) this.out.write(`${savePicture(reply.image, this.pictureDir)}\n`);
    return { messageId: id };
  }
  async edit(to: Destination, messageId: string, reply: Reply): Promise<void> {
    this.out.write(`\n[✎ ${to.chatId} #${messageId}]\n${renderText(reply)}\n`);
  }
}

export interface ConsoleChatOptions {
  router: Router;
  services: Services;
  input?: Readable;
  output?: Writable;
  /** Where pictures are saved (default CONSOLE_PICTURE_DIR). */
  pictureDir?: string;
}

/** Run the chat until input ends (Ctrl+D) or close() is called. */
export class ConsoleChat {
  private rl: ReturnType<typeof createInterface> | undefined;
  private buttons: Button[] = [];
  private lastMessageId = 0;
  private done: Promise<void> | undefined;

  constructor(private readonly opts: ConsoleChatOptions) {}

  start(): Promise<void> {
    const input = this.opts.input ?? process.stdin;
    const out = this.opts.output ?? process.stdout;
    const interactive = (input as { isTTY?: boolean }).isTTY === true;
    const rl = createInterface({ input, output: out, terminal: interactive });
    this.rl = rl;
    out.write(`${msg.platforms.consoleWelcome}\n`);
    rl.setPrompt(msg.platforms.consolePrompt);
    rl.prompt();
    // Lines are handled one at a time, in order, even when a command takes a while.
    let chain = Promise.resolve();
    rl.on('line', (line) => {
      chain = chain.then(() => this.line(line, out)).then(() => rl.prompt());
    });
    this.done = new Promise((resolve) =>
      rl.once('close', () => {
        void chain.then(() => {
          out.write(`\n${msg.platforms.consoleBye}\n`);
          resolve();
        });
      }),
    );
    return this.done;
  }

  close(): void {
    this.rl?.close();
  }

  /** A line printed above the prompt (start-up notes), the prompt shown again after it. */
  notice(text: string): void {
    const out = this.opts.output ?? process.stdout;
    out.write(`\n${text}\n`);
    this.rl?.prompt();
  }

  private async line(line: string, out: Writable): Promise<void> {
    const text = line.trim();
    if (!text) return;
    const { router, services } = this.opts;
    const base: Inbound = {
      platform: 'console',
      chat: CONSOLE_CHAT,
      chatType: 'private',
      user: CONSOLE_USER,
      text,
      messageId: String(++this.lastMessageId),
      receivedAt: new Date(services.clock.now()),
    };
    const press = /^!(\d+)$/.exec(text);
    if (press) {
      const b = this.buttons[Number(press[1]) - 1];
      if (!b) {
        out.write(`${msg.platforms.consoleNoSuchButton}\n`);
        return;
      }
      const r = await router.press({ ...base, text: '', press: { action: b.action, value: b.value } }, services);
      if (r.toast) out.write(`（${r.toast}）\n`);
      if (r.edit) this.show(r.edit, out);
      if (r.reply) this.show(r.reply, out);
      return;
    }
    this.show(await router.handle(base, services), out);
  }

  private show(reply: Reply, out: Writable): void {
    out.write(`${renderText({ ...reply, buttons: [] })}\n`);
    if (reply.image) out.write(`${savePicture(reply.image, this.opts.pictureDir)}\n`);
    this.buttons = (reply.buttons ?? []).flat();
    if (this.buttons.length) out.write(`${msg.platforms.consoleButtons(this.buttons.map((b) => b.label))}\n`);
  }
}
