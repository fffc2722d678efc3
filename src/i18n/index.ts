import { zh } from './zh/index.ts';

/** The active catalogue. Only Simplified Chinese exists today. */
export const msg = zh;
