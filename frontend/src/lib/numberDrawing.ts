/**
 * The Number mode's drawing: strokes of `[x, y, t_ms]` points in the canvas's logical pixels
 * (what `POST /predict/number` takes), and the geometry of the boxes the service answers.
 * Pure, so it can be tested without a canvas.
 */
import type { Drawing, Stroke } from './strokes'

export interface TimedDrawing {
  /** Finished strokes, oldest first; each point `[x, y, t_ms]`. */
  readonly strokes: readonly (readonly (readonly [number, number, number])[])[]
  /** The stroke being drawn (pointer down), if any. */
  readonly active: readonly (readonly [number, number, number])[] | null
}

export const emptyTimedDrawing: TimedDrawing = { strokes: [], active: null }

export type TimedAction =
  | { type: 'begin'; x: number; y: number; t: number }
  | { type: 'extend'; x: number; y: number; t: number }
  | { type: 'end' }
  | { type: 'undo' }
  | { type: 'clear' }

/** Points closer than this (logical px) to the previous one are dropped. */
const MIN_DISTANCE = 0.75

export function timedReducer(drawing: TimedDrawing, action: TimedAction): TimedDrawing {
  switch (action.type) {
    case 'begin': {
      const committed = drawing.active ? [...drawing.strokes, drawing.active] : drawing.strokes
      return { strokes: committed, active: [[action.x, action.y, action.t]] }
    }
    case 'extend': {
      const active = drawing.active
      if (!active) return drawing
      const last = active[active.length - 1]
      if (last && Math.hypot(action.x - last[0], action.y - last[1]) < MIN_DISTANCE) return drawing
      return { ...drawing, active: [...active, [action.x, action.y, action.t]] }
    }
    case 'end':
      return drawing.active ? { strokes: [...drawing.strokes, drawing.active], active: null } : drawing
    case 'undo':
      if (drawing.active) return { ...drawing, active: null }
      return { strokes: drawing.strokes.slice(0, -1), active: null }
    case 'clear':
      return emptyTimedDrawing
  }
}

/** The finished strokes as the API takes them (the stroke in progress is not sent). */
export function toRequestStrokes(drawing: TimedDrawing): number[][][] {
  return drawing.strokes.map((stroke) => stroke.map(([x, y, t]) => [x, y, Math.round(t)]))
}

/** The same strokes in the shape the canvas renderer of `lib/strokes` paints. */
export function toRenderDrawing(drawing: TimedDrawing, size: number): Drawing {
  const toStroke = (points: readonly (readonly [number, number, number])[]) => ({
    points: points.map(([x, y]) => ({ x, y })),
    size,
  })
  return { strokes: drawing.strokes.map(toStroke), active: drawing.active ? toStroke(drawing.active) : null, undone: [] }
}

export function isEmptyTimed(drawing: TimedDrawing): boolean {
  return drawing.strokes.length === 0 && (drawing.active === null || drawing.active.length === 0)
}

/** A box `[x, y, width, height]` in canvas pixels as CSS percentages of a `width` x `height` canvas. */
export function boxStyle(box: readonly number[], width: number, height: number) {
  const [x = 0, y = 0, w = 0, h = 0] = box
  const pct = (v: number, of: number) => `${Math.max(0, Math.min(100, (v / of) * 100)).toFixed(2)}%`
  return { left: pct(x, width), top: pct(y, height), width: pct(w, width), height: pct(h, height) }
}

/** Share of the canvas's height above a digit box that its label needs (about 1.6rem of 280 px). */
export const LABEL_ROOM = 0.12

/** Where a digit box's label goes: over its top edge, or under its bottom edge (see `labelRows`). */
export type LabelRow = 'above' | 'below'

/**
 * Whether a digit box's label goes inside its edge rather than outside it: a box that starts
 * within `LABEL_ROOM` of the canvas's height from its top (or, for a label below, ends within it
 * from its bottom) would have its label cut off by the pad.
 */
export function labelInside(box: readonly number[], height: number, row: LabelRow = 'above'): boolean {
  const [, y = 0, , h = 0] = box
  return row === 'above' ? y < LABEL_ROOM * height : y + h > (1 - LABEL_ROOM) * height
}

/** Least space between two labels on the same row (px). */
export const LABEL_GAP = 4

/**
 * The row of each digit's label, given the labels' horizontal extents `[left, right]` (any unit,
 * left to right): above its box, unless it would overlap the previous label above; then below
 * its box, unless that overlaps too (then the row where the overlap is smaller). Digits written
 * close together, such as the two narrow 1s of 2011, get their labels on alternate rows. An extent
 * of no width (not laid out) stays above.
 */
export function labelRows(spans: readonly (readonly [number, number])[], gap = LABEL_GAP): LabelRow[] {
  let aboveEnd = -Infinity
  let belowEnd = -Infinity
  return spans.map(([left, right]) => {
    if (right <= left) return 'above'
    const row: LabelRow = left >= aboveEnd + gap || (left < belowEnd + gap && aboveEnd <= belowEnd) ? 'above' : 'below'
    if (row === 'above') aboveEnd = right
    else belowEnd = right
    return row
  })
}

/** Half the width of a digit box's label ("0 >99.9%") as a share of the canvas's width (about 40 of 840 px). */
export const LABEL_HALF_WIDTH = 0.05

/**
 * Where a digit box's label sits along its top edge: centred over the box, so the labels of two
 * neighbouring digits do not overlap when one is narrow (a 1 beside a 0), except at the pad's
 * sides, where a centred label would be cut off: `start` (from the box's left edge) or `end` (to
 * its right edge) there.
 */
export function labelAlign(box: readonly number[], width: number): 'start' | 'center' | 'end' {
  const [x = 0, , w = 0] = box
  const centre = x + w / 2
  if (centre < LABEL_HALF_WIDTH * width) return 'start'
  if (centre > (1 - LABEL_HALF_WIDTH) * width) return 'end'
  return 'center'
}

/**
 * How many digits a Digit-mode drawing holds side by side: its strokes' horizontal extents
 * (widened by half the brush on each side) joined where they overlap, as the service groups a
 * number's strokes (a 4's two strokes and a 5's flag overlap their digit). Two or more: the user
 * is writing a number, which the Digit mode reads as one piece ("not a digit").
 */
export function sideBySideGroups(strokes: readonly Stroke[]): number {
  const spans = strokes
    .filter((stroke) => stroke.points.length > 0)
    .map((stroke) => {
      const xs = stroke.points.map((p) => p.x)
      const [low, high] = xs.reduce(([lo, hi], x) => [Math.min(lo, x), Math.max(hi, x)], [Infinity, -Infinity])
      return [low - stroke.size / 2, high + stroke.size / 2] as const
    })
    .sort((a, b) => a[0] - b[0])
  let groups = 0
  let end = -Infinity
  for (const [left, right] of spans) {
    if (left > end) groups += 1
    end = Math.max(end, right)
  }
  return groups
}

/**
 * A Digit-mode drawing (a `size` x `size` canvas) as Number-mode strokes on a `width` x `height`
 * canvas: scaled to its height and centred. Each point keeps its time from the first point
 * (`t`, ms) where known, else the strokes are a second apart (their pen-ups too long to join
 * strokes by time).
 */
export function toTimedDrawing(drawing: Drawing, size: number, width: number, height: number): TimedDrawing {
  const scale = height / size
  const left = (width - size * scale) / 2
  const points = drawing.strokes.flatMap((stroke) => stroke.points)
  const timed = points.length > 0 && points.every((p) => p.t !== undefined)
  const start = timed ? points.reduce((earliest, p) => Math.min(earliest, p.t ?? 0), Infinity) : 0
  return {
    strokes: drawing.strokes
      .filter((stroke) => stroke.points.length > 0)
      .map((stroke, k) =>
        stroke.points.map(
          (p, i) => [left + p.x * scale, p.y * scale, timed ? (p.t ?? 0) - start : 1000 * k + i] as const,
        ),
      ),
    active: null,
  }
}

/** The time of a drawing's last point (ms; 0 when it has none): strokes added later come after it. */
export function lastTime(drawing: TimedDrawing): number {
  return drawing.strokes.reduce((latest, stroke) => stroke.reduce((most, [, , t]) => Math.max(most, t), latest), 0)
}
