/**
 * A worker process for the restart tests: the app built from the environment, every worker this
 * process would run, and Senders that post what they send to the test's HTTP sink (SINK_URL), so
 * the test sees deliveries from a process it can SIGKILL.
 */
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Destination, Platform, Reply } from '../../src/messages.ts';
import type { Sender, SentMessage } from '../../src/delivery/sender.ts';
import { startWorkers } from '../../jobs/worker.ts';

class SinkSender implements Sender {
  private n = 0;
  constructor(
    readonly platform: Platform,
    private readonly url: string,
  ) {}
  async send(to: Destination, reply: Reply): Promise<SentMessage> {
    const res = await fetch(this.url, { method: 'POST', body: JSON.stringify({ to, reply, pid: process.pid }) });
    if (!res.ok) throw new Error(`sink ${res.status}`);
    return { messageId: `${process.pid}-${++this.n}` };
  }
  async edit(): Promise<void> {}
}

const sink = process.env.SINK_URL!;
const app = await createApp(loadConfig(process.env), {
  senders: { telegram: new SinkSender('telegram', sink), slack: new SinkSender('slack', sink) },
});
const workers = await startWorkers(app.services);
process.stdout.write('ready\n');
const stop = async () => {
  await workers.close();
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
