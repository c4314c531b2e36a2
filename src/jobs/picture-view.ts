import type { Frame } from 'node-av/lib';
import type { DisplayTransform } from './display-matrix.js';
import { isUnturned, renderUpright } from './picture-render.js';
import { blackPercent, type RgbImage } from './rgb-image.js';
import type { Size } from './snapshot-geometry.js';
import type { Picture } from './video-source.js';

/** Longest side of the small render the black-frame check looks at. */
const CHECK_SIDE = 256;

/**
 * One decoded picture shared by the outputs that use it (a snapshot, a sprite cell, the
 * black-frame check): upright renders are made once per size. Owns the frame: release()
 * frees it.
 */
export class PictureView {
  readonly timeMs: number;
  readonly #frame: Frame;
  readonly #transform: DisplayTransform;
  readonly #display: Size;
  readonly #renders = new Map<string, Promise<RgbImage>>();
  #released = false;

  constructor(picture: Picture, transform: DisplayTransform, display: Size) {
    this.#frame = picture.frame;
    this.timeMs = picture.timeMs;
    this.#transform = transform;
    this.#display = display;
  }

  /** The upright picture scaled to width × height. */
  upright(width: number, height: number): Promise<RgbImage> {
    const key = `${width}x${height}`;
    let render = this.#renders.get(key);
    if (!render) {
      render = renderUpright(this.#frame, this.#transform, width, height);
      this.#renders.set(key, render);
    }
    return render;
  }

  /**
   * The decoded frame when only scaling separates it from the upright picture (no rotation
   * or mirroring): an encoder can then scale it straight to the output size.
   */
  unturned(): Frame | undefined {
    return isUnturned(this.#transform) ? this.#frame : undefined;
  }

  /** Percentage of black pixels (see blackPercent), on a small render. */
  async blackPercent(pixelThreshold: number): Promise<number> {
    const d = this.#display;
    const scale = Math.min(1, CHECK_SIDE / Math.max(d.width, d.height));
    const w = Math.max(1, Math.round(d.width * scale));
    const h = Math.max(1, Math.round(d.height * scale));
    return blackPercent(await this.upright(w, h), pixelThreshold);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#frame.free();
  }
}
