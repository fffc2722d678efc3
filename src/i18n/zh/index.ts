/**
 * The Simplified Chinese catalogue: every word a user reads comes from here, one file per domain,
 * so wording is reviewed in one place and another language can follow with the same shape.
 */
import { alerts } from './alerts.ts';
import { broadcast } from './broadcast.ts';
import { common } from './common.ts';
import { groups } from './groups.ts';
import { http } from './http.ts';
import { knowledge } from './knowledge.ts';
import { roles } from './roles.ts';
import { meetings } from './meetings.ts';
import { platforms } from './platforms.ts';
import { pictures } from './pictures.ts';
import { startup } from './startup.ts';

export const zh = {
  alerts,
  broadcast,
  common,
  groups,
  http,
  knowledge,
  roles,
  meetings,
  platforms,
  pictures,
  startup,
};

