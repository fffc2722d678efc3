/** What each picture builder returns: the SVG to rasterise and everything said about it in words. */
import { svgDoc } from './svg.ts';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Picture {
  svg: string;
  width: number;
  height: number;
  /** The picture in words: the text equivalent (caption, alt text, console). */
  alt: string;
  /** File name it is sent under. */
  name: string;
  /** Areas that carry the picture's marks (nodes, bars): tests check they are drawn. */
  marks: Box[];
  /** Where the title is written: tests check its glyphs are drawn. */
  titleBox: Box;
}

/** A picture from its SVG body: the document is drawn at the size the picture declares. */
export function picture(p: Omit<Picture, 'svg'> & { body: string[] }): Picture {
  const { body, ...rest } = p;
  return { svg: svgDoc(p.width, p.height, body), ...rest };
}
