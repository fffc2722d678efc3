/** The CLI contract of `xiezuo ask` and `xiezuo ingest`, through the real bin in a child process. */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A REDIS_URL nobody listens on: `ask` must answer without ever connecting.
    const child = spawn(process.execPath, ['src/bin/xiezuo.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('xiezuo ask', () => {
  it('--json prints one object: question, intent, text and ranked results with text and citation', async () => {
    const r = await run(['ask', '--json', '大连的对口合作城市是哪个']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!);
    expect(o).toMatchObject({ question: '大连的对口合作城市是哪个', intent: 'pairing' });
    expect(o.text).toContain('上海市');
    expect(o.results.length).toBeGreaterThan(0);
    for (const res of o.results) {
      expect(typeof res.text).toBe('string');
      expect(res.citation).toMatch(/^《.+》/);
    }
  });

  it('prints the reply as a user sees it, with citations', async () => {
    const r = await run(['ask', '合作交流专项资金怎么使用']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('【找到');
    expect(r.stdout).toContain('——《');
  });

  it('with no question reads stdin line by line and answers each in order; --plans adds a folder', async () => {
    const r = await run(['ask', '--json', '--plans', 'tests/fixtures/plans-extra'], '白玉兰远程医学网\n\n青稞深加工示范园区\n/pair 扬州\n');
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.question)).toEqual(['白玉兰远程医学网', '青稞深加工示范园区', '/pair 扬州']);
    expect(out[1].results[0].citation).toBe('《测试市与样例州结对帮扶工作要点》二（一）1');
    expect(out[2].text).toContain('丹东市');
  });

  it('rejects an unknown option with the usage line', async () => {
    const r = await run(['ask', '--bogus', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('未知选项：--bogus');
    expect(r.stderr).toContain('用法：xiezuo ask');
    // One dash, or a phone's single long dash for two, is an option too, not a question.
    for (const bad of ['-x', '—json']) {
      const d = await run(['ask', bad, '上海']);
      expect(d.code).toBe(2);
      expect(d.stderr).toContain(`未知选项：${bad}`);
      expect(d.stdout).toBe('');
    }
    // --plans must be followed by a folder, not by the next option or nothing.
    for (const args of [['--plans', '--json', '上海'], ['--plans=', '上海']]) {
      const p = await run(['ask', ...args]);
      expect(p.code).toBe(2);
      expect(p.stderr).toContain('--plans 后面要写一个目录');
    }
  });

  it('--help prints the usage and exits 0', async () => {
    for (const cmd of ['ask', 'ingest']) {
      const r = await run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`用法：xiezuo ${cmd}`);
    }
  });

  it('a --plans folder: a sub-folder named like a document is skipped; a file that is not UTF-8 text is refused by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xiezuo-plans-'));
    try {
      mkdirSync(join(dir, 'notes.md'));
      copyFileSync(join(ROOT, 'tests/fixtures/statute.txt'), join(dir, 'statute.txt'));
      const ok = await run(['ask', '--json', '--plans', dir, '某市对口协作促进条例第一条']);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout).results[0].citation).toBe('《某市对口协作促进条例》第一条');
      // GBK bytes for 对口支援 (not UTF-8), then UTF-16 with its NULs.
      for (const bytes of [Buffer.from([0xb6, 0xd4, 0xbf, 0xda, 0xd6, 0xa7, 0xd4, 0xae]), Buffer.from('\ufeff对口支援', 'utf16le')]) {
        writeFileSync(join(dir, 'bad.txt'), bytes);
        const bad = await run(['ask', '--plans', dir, '上海']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain(`${join(dir, 'bad.txt')} 不是 UTF-8 编码的文本`);
        expect(bad.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reader that closes the pipe early ends the run quietly', async () => {
    const child = spawn(process.execPath, ['src/bin/xiezuo.mjs', 'ask', '--json'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Read the first answer, then close our end, as `| head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.end('上海对口支援哪些地区\n'.repeat(200));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

describe('xiezuo ingest', () => {
  it('prints the outline and clause count of a statute-shaped document', async () => {
    const r = await run(['ingest', 'tests/fixtures/statute.txt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('《某市对口协作促进条例》');
    expect(r.stdout).toContain('\n  第一节 联席会议\n');
    expect(r.stdout).toContain('      （二）协调解决协作中的重大问题');
    // Articles, chapters and sections counted apart (17 clauses in all, items included).
    expect(r.stdout.trim().endsWith('共 6 条，3 章，2 节')).toBe(true);
  });

  it('--json gives ids, depths and citations of a seed plan', async () => {
    const r = await run(['ingest', '--json', 'seeds/plans/sh-fyp11.md']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o).toMatchObject({ id: 'sh-fyp11', clauses: 112 });
    expect(o.outline.find((c: { id: string }) => c.id === 'sh-fyp11#3.2.1.2').citation).toBe('《上海市服务全国和对口帮扶“十一五”规划》三（二）1（2）');
  });

  it('names a missing file, a folder and a binary file in words, without a system message', async () => {
    const missing = await run(['ingest', 'no/such/file.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file.txt：不存在');
    const folder = await run(['ingest', 'tests']);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('是目录，不是文件');
    for (const r of [missing, folder]) expect(r.stderr).not.toMatch(/ENOENT|EISDIR/);
    // A few bytes of a binary file (an ELF header), not a whole executable read for one check.
    const dir = mkdtempSync(join(tmpdir(), 'xiezuo-ingest-'));
    try {
      const file = join(dir, 'program.txt');
      writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0xff, 0xfe]));
      const binary = await run(['ingest', file]);
      expect(binary.code).toBe(2);
      expect(binary.stderr).toContain('不是 UTF-8 编码的文本');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
