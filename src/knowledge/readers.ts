/**
 * Button presses skip the router's role check (it guards typed commands), so knowledge button
 * actions check the role their command needs before answering.
 */
import type { CommandContext } from '../command.ts';
import { UserError } from '../errors.ts';
import { msg } from '../i18n/index.ts';

export async function requireReader(ctx: CommandContext): Promise<void> {
  if (!(await ctx.services.access.hasRole(ctx.inbound.user, 'official'))) {
    throw new UserError(msg.common.refused(msg.common.roleNames.official ?? 'official'));
  }
}
