/** Start-up validation of seeds/: a broken file stops with file, entry and reason. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../../src/errors.ts';
import { Knowledge } from '../../src/knowledge/knowledge.ts';
import { DEFAULT_SEEDS_DIR } from '../../src/knowledge/sources.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const dirs: string[] = [];

function copySeeds(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-seeds-'));
  dirs.push(dir);
  cpSync(DEFAULT_SEEDS_DIR, dir, { recursive: true });
  return dir;
}
function edit(dir: string, file: string, change: (data: any[]) => void): void {
  const path = join(dir, file);
  const data = JSON.parse(readFileSync(path, 'utf8'));
  change(data);
  writeFileSync(path, JSON.stringify(data));
}
async function loadError(dir: string): Promise<StartupError> {
  try {
    await Knowledge.load({ seedsDir: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(StartupError);
    return e as StartupError;
  }
  throw new Error('load should have failed');
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('seed validation at start-up', () => {
  it('names the file, the entry and the reason for a quote that is not in the document', async () => {
    const dir = copySeeds();
    edit(dir, 'pairings.json', (d) => (d[0].source.quote = '这句话不在文件里'));
    const e = await loadError(dir);
    expect(e.message).toContain('pairings.json');
    expect(e.message).toContain(JSON.parse(readFileSync(join(DEFAULT_SEEDS_DIR, 'pairings.json'), 'utf8'))[0].id);
    expect(e.message).toContain('找不到');
  });

  it('rejects a quote that matches several clauses', async () => {
    const dir = copySeeds();
    edit(dir, 'deadlines.json', (d) => (d[0].source = { doc: 'sh-fyp11', quote: '积极推进“白玉兰”远程医学网建设' }));
    expect((await loadError(dir)).message).toMatch(/deadlines\.json .*多个条款/);
  });

  it('rejects an unknown region, a bad field and a duplicate id', async () => {
    let dir = copySeeds();
    edit(dir, 'pairings.json', (d) => (d[1].to = 'atlantis'));
    expect((await loadError(dir)).message).toMatch(/pairings\.json 条目 .*atlantis/);
    dir = copySeeds();
    edit(dir, 'deadlines.json', (d) => (d[2].due = '20X5'));
    expect((await loadError(dir)).message).toMatch(/deadlines\.json 条目 .*due/);
    dir = copySeeds();
    edit(dir, 'regions.json', (d) => d.push({ ...d[0] }));
    expect((await loadError(dir)).message).toMatch(/regions\.json .*id 重复/);
  });

  it('rejects broken JSON and a plan without front matter in seeds/plans', async () => {
    let dir = copySeeds();
    writeFileSync(join(dir, 'regions.json'), '[{');
    expect((await loadError(dir)).message).toMatch(/regions\.json 不是有效的 JSON/);
    dir = copySeeds();
    writeFileSync(join(dir, 'plans', 'bare.md'), '一、没有头部信息的文件。\n');
    expect((await loadError(dir)).message).toMatch(/bare\.md 缺少头部信息/);
    dir = copySeeds();
    writeFileSync(join(dir, 'plans', 'bad.md'), '---\nid: Bad Id\ntitle: x\n---\n一、正文。\n');
    expect((await loadError(dir)).message).toMatch(/bad\.md .*id/);
  });

  it('adds extra plan folders, front matter optional, and refuses duplicate document ids', async () => {
    const k = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR, planDirs: [join(FIXTURES, 'plans-extra')] });
    expect(k.doc('mini-plan')?.meta.title).toBe('测试市与样例州结对帮扶工作要点');
    expect(k.search('青稞深加工示范园区', 1)[0]?.clause.citation).toBe('《测试市与样例州结对帮扶工作要点》二（一）1');
    const dup = mkdtempSync(join(tmpdir(), 'xiezuo-dup-'));
    dirs.push(dup);
    cpSync(join(DEFAULT_SEEDS_DIR, 'plans', 'sh-fyp11.md'), join(dup, 'copy.md'));
    await expect(Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR, planDirs: [dup] })).rejects.toThrow(/sh-fyp11.*重复/);
  });
});
