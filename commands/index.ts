/** Every chat command, in the order /help lists them. Each issue adds its commands here. */
import type { AnyCommand } from '../src/command.ts';
import { ack } from './ack.ts';
import { alert } from './alert.ts';
import { ask } from './ask.ts';
import { deadline } from './deadline.ts';
import { help } from './help.ts';
import { meeting } from './meeting.ts';
import { pair } from './pair.ts';
import { toc } from './toc.ts';
import { group } from './group.ts';
import { broadcast } from './broadcast.ts';
import { role } from './role.ts';
import { audit } from './audit.ts';

export const commands: AnyCommand[] = [ask, pair, deadline, toc, meeting, alert, ack, group, broadcast, role, audit, help];
