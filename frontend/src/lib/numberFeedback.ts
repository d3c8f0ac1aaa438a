/**
 * Feedback on one digit of a number (the Number mode): the crop of the canvas around the digit's
 * `box`, the strokes that drew it, and the `POST /feedback` body. Pure except `cropCanvas`.
 */
import type { FeedbackBody } from '../api/feedback'
import type { NumberDigit } from '../api/numbers'
import { deviceOf, predictedLabel, type Label } from './feedback'

/** Room kept around a digit's box (logical canvas px) in the image sent as feedback. */
export const CROP_MARGIN = 8

/** A rectangle in logical canvas pixels: `x`, `y` its top-left corner, whole pixels. */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/**
 * The part of a `canvasWidth` x `canvasHeight` canvas to send for a digit: its `box`
 * (`[x, y, width, height]` in canvas pixels, as `/predict/number` answers) grown by `margin` on
 * each side, in whole pixels and clipped to the canvas (at least 1 x 1).
 */
export function cropRect(box: readonly number[], canvasWidth: number, canvasHeight: number, margin = CROP_MARGIN): Rect {
  const [bx = 0, by = 0, bw = 0, bh = 0] = box
  const x0 = Math.max(0, Math.min(canvasWidth - 1, Math.floor(bx - margin)))
  const y0 = Math.max(0, Math.min(canvasHeight - 1, Math.floor(by - margin)))
  const x1 = Math.max(x0 + 1, Math.min(canvasWidth, Math.ceil(bx + bw + margin)))
  const y1 = Math.max(y0 + 1, Math.min(canvasHeight, Math.ceil(by + bh + margin)))
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

type Point = readonly [number, number, number]

/**
 * The strokes of one digit: those with at least half of their points inside `rect`, moved so that
 * `rect`'s corner is (0, 0) (the crop's pixels), rounded to 0.1 px; times (ms) kept as drawn.
 */
export function digitStrokes(strokes: readonly (readonly Point[])[], rect: Rect): number[][][] {
  const inside = ([x, y]: Point) => x >= rect.x && x <= rect.x + rect.width && y >= rect.y && y <= rect.y + rect.height
  const round = (v: number) => Math.round(v * 10) / 10
  return strokes
    .filter((stroke) => stroke.length > 0 && stroke.filter(inside).length * 2 >= stroke.length)
    .map((stroke) => stroke.map(([x, y, t]) => [round(x - rect.x), round(y - rect.y), Math.round(t)]))
}

/**
 * The PNG (data URL) of `rect` of a canvas drawn at `scale` device pixels per logical pixel,
 * at logical size (`rect.width` x `rect.height` px); '' when no 2D context is available.
 */
export function cropCanvas(source: HTMLCanvasElement, rect: Rect, scale: number): string {
  const crop = document.createElement('canvas')
  crop.width = rect.width
  crop.height = rect.height
  const ctx = crop.getContext('2d')
  if (!ctx) return ''
  ctx.drawImage(source, rect.x * scale, rect.y * scale, rect.width * scale, rect.height * scale, 0, 0, rect.width, rect.height)
  return crop.toDataURL('image/png')
}

/** What is known of the digit a user labels. */
export interface DigitFeedbackInput {
  /** The crop's PNG data URL (`cropCanvas`). */
  image: string
  /** The digit's strokes in the crop's pixels (`digitStrokes`). */
  strokes: number[][][]
  crop: Rect
  digit: Pick<NumberDigit, 'digit' | 'verdict' | 'probabilities'>
  modelVersion: string
  pointerType: string | null
}

/** The `POST /feedback` body for one digit of a number labelled `label` (null: not a digit). */
export function digitFeedbackBody(label: Label, input: DigitFeedbackInput): FeedbackBody {
  return {
    image: input.image,
    label,
    predicted: predictedLabel(input.digit),
    model_version: input.modelVersion,
    probabilities: [...input.digit.probabilities],
    strokes: input.strokes.length > 0 ? (input.strokes as FeedbackBody['strokes']) : null,
    canvas: { width: input.crop.width, height: input.crop.height },
    device: deviceOf(input.pointerType),
  }
}
