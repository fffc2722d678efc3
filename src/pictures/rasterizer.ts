/**
 * SVG → PNG off the main thread. resvg renders synchronously (tens of milliseconds for a large
 * map, most of it loading the CJK font), so it runs in one worker thread: the event loop only
 * builds the SVG text and hashes it. PNGs are cached by a hash of what determines them (the SVG
 * and the font files), and a render already in flight is shared rather than repeated.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { CjkFont } from './fonts.ts';

export interface Png {
  png: Uint8Array;
  width: number;
  height: number;
  /** sha256 of the SVG and fonts it came from (hex); also names the file in the console chat. */
  hash: string;
  /** Where the worker spent its time on this PNG (ms), for the bench. */
  timings?: Record<'outline' | 'parse' | 'render' | 'encode', number>;
}

interface Job {
  resolve: (p: Omit<Png, 'hash'>) => void;
  reject: (e: Error) => void;
}

/** PNGs kept: a map is ~100–200 kB, so this bounds the cache to a few MB. */
const DEFAULT_CACHE_ENTRIES = 32;

export class Rasterizer {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private seq = 0;
  private readonly cache = new Map<string, Png>();
  private readonly inflight = new Map<string, Promise<Png>>();

  /** `font` undefined renders with no font at all (text is left out): what tests compare against. */
  constructor(
    readonly font: CjkFont | undefined,
    private readonly cacheEntries = DEFAULT_CACHE_ENTRIES,
  ) {}

  async render(svg: string): Promise<Png> {
    const hash = createHash('sha256')
      .update(svg)
      .update('\0')
      .update((this.font?.files ?? []).join('\0'))
      .digest('hex');
    const hit = this.cache.get(hash);
    if (hit) {
      // Map order is insertion order: re-inserting keeps the most recent last for eviction.
      this.cache.delete(hash);
      this.cache.set(hash, hit);
      return hit;
    }
    const running = this.inflight.get(hash);
    if (running) return running;
    const p = this.rasterize(svg).then((r) => {
      const png = { ...r, hash };
      this.cache.set(hash, png);
      while (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
      return png;
    });
    this.inflight.set(hash, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(hash);
    }
  }

  /** Stop the worker; a later render starts a new one. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private rasterize(svg: string): Promise<Omit<Png, 'hash'>> {
    const w = this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      // The worker keeps the process alive only while it has work.
      w.ref();
      w.postMessage({ id, svg, fontFiles: this.font?.files ?? [], family: this.font?.family ?? '' });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./raster-worker.mjs', import.meta.url));
    w.unref();
    w.on('message', (m: { id: number; png?: Uint8Array; width?: number; height?: number; ms?: Png['timings']; error?: string }) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      if (!this.jobs.size) w.unref();
      if (m.error !== undefined || !m.png) job.reject(new Error(`render failed: ${m.error ?? 'no image'}`));
      else job.resolve({ png: m.png, width: m.width!, height: m.height!, ...(m.ms ? { timings: m.ms } : {}) });
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const j of this.jobs.values()) j.reject(e);
      this.jobs.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`render worker exited (${code})`)));
    this.worker = w;
    return w;
  }
}
