/** One 8-bit channel, row-major: the form every stage after decoding works on. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface Box {
  /** Left, top, right, bottom in pixels of the image the box refers to (right/bottom exclusive). */
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}
