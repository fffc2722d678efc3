/**
 * The pictures service: turns a Picture (SVG + its words) into a reply's image. Without a CJK
 * font no image is made at all — a picture with its labels missing would mislead — and the
 * reply says so in one line above its text; a failed render is logged and answered the same way.
 */
import { msg } from '../i18n/index.ts';
import type { Logger } from '../log.ts';
import type { Reply } from '../messages.ts';
import { type CjkFont, findCjkFont } from './fonts.ts';
import type { Picture } from './picture.ts';
import { Rasterizer } from './rasterizer.ts';

const T = msg.pictures;

export interface PicturesOptions {
  /** The font to draw with; null = none installed (tests); omitted = looked up on the system. */
  font?: CjkFont | null;
  log?: Pick<Logger, 'warn'>;
}

export class Pictures {
  readonly font: CjkFont | undefined;
  private readonly rasterizer: Rasterizer;
  private closing = false;

  constructor(private readonly opts: PicturesOptions = {}) {
    this.font = opts.font === null ? undefined : (opts.font ?? findCjkFont());
    this.rasterizer = new Rasterizer(this.font);
  }

  /**
   * `reply` with the picture attached; when there is no picture to draw, `reply` unchanged;
   * when it cannot be drawn, `reply` with a line saying so first (its text is the answer).
   */
  async attach(reply: Reply, picture: Picture | undefined): Promise<Reply> {
    if (!picture) return reply;
    if (!this.font) return withNote(reply, T.noFont);
    try {
      const png = await this.rasterizer.render(picture.svg);
      return { ...reply, image: { png: png.png, alt: picture.alt, name: picture.name, width: png.width, height: png.height, hash: png.hash } };
    } catch (e) {
      this.opts.log?.warn('picture render failed', { err: e, name: picture.name });
      return withNote(reply, T.failed);
    }
  }

  /** Open the font in the worker ahead of the first request (the first render pays for it otherwise). */
  async warm(): Promise<void> {
    if (!this.font) return;
    try {
      await this.rasterizer.render('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><text x="0" y="8" font-size="8">协作</text></svg>');
    } catch (e) {
      // A process that stops during warm-up ends the worker under it: that is no failure.
      if (!this.closing) throw e;
    }
  }

  close(): Promise<void> {
    this.closing = true;
    return this.rasterizer.close();
  }
}

/** The text answer with the reason there is no picture as its first line. */
function withNote(reply: Reply, note: string): Reply {
  return { ...reply, blocks: [{ text: note }, ...reply.blocks] };
}

/** Attach through the service when the process has one; a process without it answers in text. */
export function attachPicture(pictures: Pictures | undefined, reply: Reply, build: () => Picture | undefined): Promise<Reply> {
  if (!pictures) return Promise.resolve(reply);
  return pictures.attach(reply, build());
}
