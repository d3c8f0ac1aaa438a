/**
 * Drawing the service's `saliency` (a 28x28 map in [0, 1], on the grid of the model's input)
 * over the 28x28 view and over the drawing itself. Pure functions; the components paint them.
 */
import { visibleStrokes, type Drawing } from './strokes'

export interface Box {
  x0: number
  y0: number
  x1: number
  y1: number
}

/** 28x28 map → RGBA pixels (28 * 28 * 4): a warm colour whose opacity grows with the value. */
export function heatPixels(saliency: readonly (readonly number[])[]): Uint8ClampedArray<ArrayBuffer> {
  const size = saliency.length
  const pixels = new Uint8ClampedArray(size * size * 4)
  saliency.forEach((row, y) =>
    row.forEach((value, x) => {
      const v = Math.min(1, Math.max(0, value))
      const i = (y * size + x) * 4
      // From amber (low) to red (high).
      pixels[i] = 255
      pixels[i + 1] = Math.round(190 * (1 - v))
      pixels[i + 2] = 0
      pixels[i + 3] = Math.round(v < 0.08 ? 0 : 40 + 175 * v)
    }),
  )
  return pixels
}

/** The box around the ink of a drawing (stroke widths included), in canvas coordinates; null when empty. */
export function inkBox(drawing: Drawing): Box | null {
  let box: Box | null = null
  for (const stroke of visibleStrokes(drawing)) {
    const r = stroke.size / 2
    for (const { x, y } of stroke.points) {
      box = box
        ? { x0: Math.min(box.x0, x - r), y0: Math.min(box.y0, y - r), x1: Math.max(box.x1, x + r), y1: Math.max(box.y1, y + r) }
        : { x0: x - r, y0: y - r, x1: x + r, y1: y + r }
    }
  }
  return box
}

/** The box around the pixels brighter than `threshold` of a grey image (RGBA rows), in pixels; null when dark. */
export function pixelBox(rgba: ArrayLike<number>, width: number, height: number, threshold = 40): Box | null {
  let box: Box | null = null
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((rgba[(y * width + x) * 4] ?? 0) <= threshold) continue
      box = box
        ? { x0: Math.min(box.x0, x), y0: Math.min(box.y0, y), x1: Math.max(box.x1, x + 1), y1: Math.max(box.y1, y + 1) }
        : { x0: x, y0: y, x1: x + 1, y1: y + 1 }
    }
  }
  return box
}

/**
 * The similarity (scale, then shift) that puts the model's 28x28 grid over the drawing: the
 * preprocessing scaled the ink's box uniformly and moved it, so the ink's box in the model input
 * (`inputBox`) lands on the ink's box on the canvas (`canvasBox`), centre on centre, longer side
 * on longer side. As `[a, b, c, d, e, f]` for `CanvasRenderingContext2D.setTransform`.
 */
export function gridToCanvas(inputBox: Box, canvasBox: Box): [number, number, number, number, number, number] {
  const side = (b: Box) => Math.max(b.x1 - b.x0, b.y1 - b.y0, 1e-6)
  const scale = side(canvasBox) / side(inputBox)
  const cx = (b: Box) => (b.x0 + b.x1) / 2
  const cy = (b: Box) => (b.y0 + b.y1) / 2
  return [scale, 0, 0, scale, cx(canvasBox) - cx(inputBox) * scale, cy(canvasBox) - cy(inputBox) * scale]
}
