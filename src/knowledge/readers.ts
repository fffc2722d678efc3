/**
 * Button presses skip the router's role check (it guards typed commands), so knowledge button
 * actions check the role their command needs before answering.
 */
import type { CommandContext } from '../command.ts';
import { requireRole } from '../roles-store.ts';

/** Refuses (and audits `<action>.denied`) unless the caller may ask. */
export async function requireReader(ctx: CommandContext, action: string): Promise<void> {
  await requireRole(ctx.services, ctx.inbound, 'official', action);
}
