/**
 * One binary file of named sections — typed arrays and JSON — behind a key and checksums.
 *
 *   "XZSNAP\0\x01" · u32 header length · header JSON · zero padding to 8 · sections, each
 *   padded to 8 bytes
 *
 * The header holds the key, each section's kind, offset and length, one checksum over the
 * sections read at load, and for each large section (LAZY_MIN and up) one checksum per PAGE.
 * A file whose magic, header, key, size or load checksum does not match reads as absent, so a
 * truncated or damaged file is rebuilt and never half-used. Small sections are read at load, in
 * chunks, each hashed as it arrives, two reads in flight. A large section (the ×1000 index's
 * 245 MB of postings) is not read at load: on this machine merely touching fresh memory costs
 * about 3.5 ms per MB, so reading it whole would cost a second before the first answer. Its
 * pages are read when first asked for (`LazyArray.load`) and checked against their own
 * checksums before use; a damaged page throws SnapshotDamaged and is never used. Typed arrays
 * are views into one buffer (no copy); a large section's unread pages are never touched. Files
 * are written beside their final name and renamed into place, so readers never see a partial
 * file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';

const MAGIC = Buffer.from('XZSNAP\0\x01', 'latin1');

type ArrayKind = 'u8' | 'u16' | 'i32' | 'f64';
type TypedArray = Uint8Array | Uint16Array | Int32Array | Float64Array;

/** A large section as read back: `array` holds elements [from, to) once `load(from, to)` returned. */
export interface LazyArray<T extends TypedArray = TypedArray> {
  lazy: T;
  /** Read (and check) the pages holding elements [from, to) unless read already; throws SnapshotDamaged. */
  load(from: number, to: number): void;
  /** Read and check every page not read yet, without keeping them: false when one is damaged. */
  verify(): Promise<boolean>;
}

export type SectionValue = TypedArray | { json: unknown } | LazyArray;

/** A page of a lazily read section does not match its checksum (or the file was cut short since). */
export class SnapshotDamaged extends Error {
  constructor(file: string, section: string) {
    super(`snapshot ${file}: section ${section} is damaged; delete the file to rebuild it`);
    this.name = 'SnapshotDamaged';
  }
}

const CTORS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f64: Float64Array } as const;

interface SectionHead {
  name: string;
  kind: ArrayKind | 'json';
  offset: number;
  bytes: number;
  /** Large sections only: the checksum of each PAGE (read lazily, not covered by Header.checksum). */
  pages?: string[];
}

interface Header {
  key: string;
  checksum: string;
  sections: SectionHead[];
}

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * The checksum guards against damage, not tampering. SHA-256 (OpenSSL, with the CPU's SHA
 * instructions) hashes the ×1000 snapshot's 275 MB in about 170 ms here, zlib's CRC-32 in about
 * 450 ms.
 */
const CHECKSUM = 'sha256';
/** Bytes per read while loading; small enough to be hashed while still in the cache. */
const CHUNK = 4 << 20;
/** Reads in flight while loading. */
const LANES = 2;
/** Sections from this size on are read page by page when used (see the top of this file). */
const LAZY_MIN = 32 << 20;
/** Bytes per lazily read page: a short posting list costs one or two. */
const PAGE = 64 << 10;

function checksum(chunks: readonly Uint8Array[]): string {
  const h = createHash(CHECKSUM);
  for (const chunk of chunks) h.update(chunk);
  return `${CHECKSUM}:${h.digest('hex')}`;
}

/** A page's checksum: 128 bits of SHA-256 are plenty against damage. */
const pageSum = (page: Uint8Array) => createHash(CHECKSUM).update(page).digest('hex').slice(0, 32);

function kindOf(v: SectionValue): ArrayKind | 'json' {
  if (v instanceof Uint8Array) return 'u8';
  if (v instanceof Uint16Array) return 'u16';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Float64Array) return 'f64';
  return 'json';
}

/**
 * Write the sections under `key`; returns the file's size in bytes. Typed-array sections of
 * `lazyFrom` bytes and more are paged (read lazily, see the top of this file).
 */
export function writeSnapshot(file: string, key: string, sections: Record<string, SectionValue>, { lazyFrom = LAZY_MIN } = {}): number {
  const heads: SectionHead[] = [];
  const chunks: Uint8Array[] = [];
  // The bytes under the load checksum (large sections have per-page checksums instead).
  const eager: Uint8Array[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(sections)) {
    if ('lazy' in value) throw new Error(`snapshot: section ${name} must be loaded whole before it is written`);
    const kind = kindOf(value);
    const bytes =
      kind === 'json'
        ? Buffer.from(JSON.stringify((value as { json: unknown }).json), 'utf8')
        : new Uint8Array((value as Uint16Array).buffer, (value as Uint16Array).byteOffset, (value as Uint16Array).byteLength);
    const gap = pad8(bytes.byteLength) - bytes.byteLength;
    const padding = gap ? [new Uint8Array(gap)] : [];
    if (kind !== 'json' && bytes.byteLength >= lazyFrom) {
      const pages: string[] = [];
      for (let at = 0; at < bytes.byteLength; at += PAGE) pages.push(pageSum(bytes.subarray(at, at + PAGE)));
      heads.push({ name, kind, offset, bytes: bytes.byteLength, pages });
    } else {
      heads.push({ name, kind, offset, bytes: bytes.byteLength });
      eager.push(bytes, ...padding);
    }
    chunks.push(bytes, ...padding);
    offset += pad8(bytes.byteLength);
  }
  const header = Buffer.from(JSON.stringify({ key, checksum: checksum(eager), sections: heads } satisfies Header), 'utf8');
  const lead = Buffer.alloc(pad8(MAGIC.length + 4 + header.length));
  MAGIC.copy(lead, 0);
  lead.writeUInt32LE(header.length, MAGIC.length);
  header.copy(lead, MAGIC.length + 4);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, Buffer.concat([lead, ...chunks]));
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return lead.length + offset;
}

/**
 * The sections of `file` when it exists, is whole and was written under `key`; else undefined.
 * Large sections come back as LazyArrays; the file then stays open for them.
 */
export async function readSnapshot(file: string, key: string): Promise<Map<string, SectionValue> | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined;
  }
  let keepOpen = false;
  try {
    const out = await readOpen(fh, file, key);
    keepOpen = !!out && [...out.values()].some((v) => 'lazy' in v);
    return out;
  } catch {
    // Unreadable (or cut short while reading): as good as absent.
    return undefined;
  } finally {
    if (!keepOpen) await fh.close().catch(() => undefined);
  }
}

async function readExactly(fh: FileHandle, into: Uint8Array, at: number): Promise<void> {
  for (let done = 0; done < into.byteLength; ) {
    const { bytesRead } = await fh.read(into, done, into.byteLength - done, at + done);
    if (!bytesRead) throw new Error('snapshot: short read');
    done += bytesRead;
  }
}

async function readOpen(fh: FileHandle, file: string, key: string): Promise<Map<string, SectionValue> | undefined> {
  const size = (await fh.stat()).size;
  if (size < MAGIC.length + 4) return undefined;
  const lead = Buffer.alloc(MAGIC.length + 4);
  await readExactly(fh, lead, 0);
  if (!lead.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const headerLength = lead.readUInt32LE(MAGIC.length);
  const start = pad8(MAGIC.length + 4 + headerLength);
  if (start > size) return undefined;
  const headerBytes = Buffer.alloc(headerLength);
  await readExactly(fh, headerBytes, MAGIC.length + 4);
  let header: Header;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  if (header.key !== key || !Array.isArray(header.sections)) return undefined;
  const last = header.sections.at(-1);
  const payloadEnd = start + (last ? pad8(last.offset + last.bytes) : 0);
  if (payloadEnd !== size) return undefined;
  if (!header.checksum.startsWith(`${CHECKSUM}:`)) return undefined;
  // Its own ArrayBuffer, so every section (8-aligned in the payload) is aligned for its view.
  // Pages of it that are never written (unread lazy sections) are never faulted in.
  const payload = new Uint8Array(new ArrayBuffer(size - start));
  // The eager sections' bytes (with their padding), in file order, as CHUNK-sized reads.
  const jobs: Array<[number, number]> = [];
  for (const s of header.sections) {
    if (s.pages) continue;
    const end = s.offset + pad8(s.bytes);
    for (let at = s.offset; at < end; at += CHUNK) jobs.push([at, Math.min(end, at + CHUNK)]);
  }
  const hash = createHash(CHECKSUM);
  const arrived = new Set<number>();
  let hashed = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = next++;
      const [from, to] = jobs[job]!;
      await readExactly(fh, payload.subarray(from, to), start + from);
      arrived.add(job);
      // Hash in file order: this chunk and any later ones that are already in.
      while (arrived.delete(hashed)) {
        const [a, b] = jobs[hashed++]!;
        hash.update(payload.subarray(a, b));
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  if (hashed !== jobs.length || `${CHECKSUM}:${hash.digest('hex')}` !== header.checksum) return undefined;
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const out = new Map<string, SectionValue>();
  for (const s of header.sections) {
    if (s.kind === 'json') {
      out.set(s.name, { json: JSON.parse(buf.toString('utf8', s.offset, s.offset + s.bytes)) });
      continue;
    }
    const C = CTORS[s.kind];
    const view = new C(payload.buffer, s.offset, s.bytes / C.BYTES_PER_ELEMENT);
    if (!s.pages) out.set(s.name, view);
    else if (s.pages.length !== Math.ceil(s.bytes / PAGE)) return undefined;
    else out.set(s.name, lazyArray(fh, file, s, start, view));
  }
  return out;
}

function lazyArray<T extends TypedArray>(fh: FileHandle, file: string, s: SectionHead, start: number, view: T): LazyArray<T> {
  const pages = s.pages!;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const loaded = new Uint8Array(pages.length);
  const per = view.BYTES_PER_ELEMENT;
  const readPage = (p: number, into: Uint8Array): boolean => {
    for (let done = 0; done < into.byteLength; ) {
      const n = readSync(fh.fd, into, done, into.byteLength - done, start + s.offset + p * PAGE + done);
      if (!n) return false;
      done += n;
    }
    return pageSum(into) === pages[p];
  };
  const pageBytes = (p: number) => Math.min(PAGE, s.bytes - p * PAGE);
  return {
    lazy: view,
    load(from, to) {
      const last = Math.ceil((to * per) / PAGE);
      for (let p = Math.floor((from * per) / PAGE); p < last; p++) {
        if (loaded[p]) continue;
        if (!readPage(p, bytes.subarray(p * PAGE, p * PAGE + pageBytes(p)))) throw new SnapshotDamaged(file, s.name);
        loaded[p] = 1;
      }
    },
    async verify() {
      const scratch = new Uint8Array(PAGE);
      for (let p = 0; p < pages.length; p++) {
        if (loaded[p]) continue;
        try {
          if (!readPage(p, scratch.subarray(0, pageBytes(p)))) return false;
        } catch {
          return false;
        }
        // One page at a time between other work: the check runs beside the answers.
        if (p % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
      }
      return true;
    },
  };
}
