/** The CLI contract of `xiezuo ask` and `xiezuo ingest`, through the real bin in a child process. */
import { spawn } from 'node:child_process';
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

  it('names a missing file', async () => {
    const r = await run(['ingest', 'no/such/file.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('无法读取');
  });
});
