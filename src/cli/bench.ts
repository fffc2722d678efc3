/**
 * `npm run bench [-- --json]`: every section measures one part of the pipeline in this run and
 * returns its figures; `--json` prints them as one object keyed by section.
 */
type Section = { name: string; run: () => Promise<Record<string, unknown>> };

// Each issue adds its section here, one line each.
const SECTIONS: Section[] = [
  { name: 'search', run: async () => (await import('../bench/search.ts')).benchSearch() },
  { name: 'reminders', run: async () => (await import('../bench/reminders.ts')).benchReminders() },
  { name: 'alerts', run: async () => (await import('../bench/alerts.ts')).benchAlerts() },
  { name: 'delivery', run: async () => (await import('../bench/delivery.ts')).benchDelivery() },
  { name: 'start', run: async () => (await import('../bench/start.ts')).benchStart() },
  { name: 'pictures', run: async () => (await import('../bench/pictures.ts')).benchPictures() },
  { name: 'scale', run: async () => (await import('../bench/scale.ts')).benchScale() },
];

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const only = argv.filter((a) => !a.startsWith('--'));
  const result: Record<string, unknown> = {};
  for (const s of SECTIONS) {
    if (only.length && !only.includes(s.name)) continue;
    if (!json) process.stderr.write(`bench ${s.name} …\n`);
    result[s.name] = await s.run();
    if (!json) process.stdout.write(`${s.name}: ${JSON.stringify(result[s.name], null, 2)}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
