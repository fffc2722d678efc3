/**
 * The Simplified Chinese catalogue: every word a user reads comes from here, one file per domain,
 * so wording is reviewed in one place and another language can follow with the same shape.
 */
import { common } from './common.ts';

export const zh = {
  common,
};

export type Messages = typeof zh;
