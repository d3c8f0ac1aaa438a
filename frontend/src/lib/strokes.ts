/**
 * The drawing as data: a list of strokes, each a list of points in the canvas's logical
 * coordinate space (CSS pixels, independent of devicePixelRatio). Everything here is pure,
 * so undo/clear and the smoothing used for rendering can be tested without a real canvas.
 */

export interface Point {
  readonly x: number
  readonly y: number
  /** When the point was drawn (ms, the pointer event's `timeStamp`), if known. */
  readonly t?: number
}

export interface Stroke {
  readonly points: readonly Point[]
  /** Line width in logical pixels. */
  readonly size: number
}

export interface Drawing {
  /** Finished strokes, oldest first. */
  readonly strokes: readonly Stroke[]
  /** The stroke being drawn right now (pointer is down), if any. */
  readonly active: Stroke | null
  /** Undone strokes, the most recently undone last; redo puts them back. A new stroke empties it. */
  readonly undone: readonly Stroke[]
  /** The strokes the last Clear removed: undo on an empty canvas puts them back. */
  readonly cleared?: readonly Stroke[]
}

export const emptyDrawing: Drawing = { strokes: [], active: null, undone: [] }

/** Points closer than this (logical px) to the previous one are dropped: they add nothing visible. */
export const MIN_POINT_DISTANCE = 0.75

export type DrawingAction =
  | { type: 'begin'; point: Point; size: number }
  | { type: 'extend'; points: readonly Point[] }
  | { type: 'end' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'clear' }

export function beginStroke(drawing: Drawing, point: Point, size: number): Drawing {
  // A stroke that was somehow left open (e.g. a lost pointerup) is committed first.
  // A new stroke starts a new history branch: what was undone can no longer be redone.
  const committed = endStroke(drawing)
  return { strokes: committed.strokes, active: { points: [point], size }, undone: [], cleared: drawing.cleared }
}

export function extendStroke(drawing: Drawing, points: readonly Point[]): Drawing {
  const active = drawing.active
  if (!active || points.length === 0) return drawing
  const next = [...active.points]
  for (const point of points) {
    const last = next[next.length - 1]
    if (last && Math.hypot(point.x - last.x, point.y - last.y) < MIN_POINT_DISTANCE) continue
    next.push(point)
  }
  if (next.length === active.points.length) return drawing
  return { ...drawing, active: { ...active, points: next } }
}

export function endStroke(drawing: Drawing): Drawing {
  if (!drawing.active) return drawing
  return { ...drawing, strokes: [...drawing.strokes, drawing.active], active: null }
}

/**
 * Removes the stroke in progress if there is one (it is dropped: it was never finished),
 * else moves the last finished stroke to the redo stack.
 */
export function undoStroke(drawing: Drawing): Drawing {
  if (drawing.active) return { ...drawing, active: null }
  const last = drawing.strokes[drawing.strokes.length - 1]
  // Undoing on an empty canvas undoes the Clear that emptied it.
  if (!last) return drawing.cleared ? { strokes: drawing.cleared, active: null, undone: [] } : drawing
  return { ...drawing, strokes: drawing.strokes.slice(0, -1), active: null, undone: [...drawing.undone, last] }
}

/** Puts the most recently undone stroke back (not while a stroke is being drawn). */
export function redoStroke(drawing: Drawing): Drawing {
  const next = drawing.undone[drawing.undone.length - 1]
  if (drawing.active || !next) return drawing
  return { ...drawing, strokes: [...drawing.strokes, next], active: null, undone: drawing.undone.slice(0, -1) }
}

/** Empties the canvas; the strokes it removes are kept so that undo can put them back. */
export function clearDrawing(drawing: Drawing = emptyDrawing): Drawing {
  const removed = visibleStrokes(drawing)
  return removed.length > 0 ? { ...emptyDrawing, cleared: removed } : emptyDrawing
}

export function canUndo(drawing: Drawing): boolean {
  return drawing.active !== null || drawing.strokes.length > 0 || (drawing.cleared?.length ?? 0) > 0
}

export function canRedo(drawing: Drawing): boolean {
  return drawing.active === null && drawing.undone.length > 0
}

export function isEmpty(drawing: Drawing): boolean {
  return drawing.strokes.length === 0 && (drawing.active === null || drawing.active.points.length === 0)
}

/** Finished strokes plus the one in progress, in drawing order. */
export function visibleStrokes(drawing: Drawing): readonly Stroke[] {
  return drawing.active ? [...drawing.strokes, drawing.active] : drawing.strokes
}

export function drawingReducer(drawing: Drawing, action: DrawingAction): Drawing {
  switch (action.type) {
    case 'begin':
      return beginStroke(drawing, action.point, action.size)
    case 'extend':
      return extendStroke(drawing, action.points)
    case 'end':
      return endStroke(drawing)
    case 'undo':
      return undoStroke(drawing)
    case 'redo':
      return redoStroke(drawing)
    case 'clear':
      return clearDrawing(drawing)
  }
}

/** One step of a smoothed stroke outline, in the vocabulary of CanvasRenderingContext2D. */
export type PathCommand =
  | { op: 'dot'; x: number; y: number }
  | { op: 'moveTo'; x: number; y: number }
  | { op: 'lineTo'; x: number; y: number }
  | { op: 'quadraticCurveTo'; cpx: number; cpy: number; x: number; y: number }

/**
 * Smooths a polyline with quadratic Bézier segments through the midpoints of consecutive
 * points (each input point becomes a control point), so fast mouse or touch input does not
 * look jagged. A single point becomes a dot.
 */
export function strokePath(points: readonly Point[]): PathCommand[] {
  const [first, ...rest] = points
  if (!first) return []
  if (rest.length === 0) return [{ op: 'dot', x: first.x, y: first.y }]
  const commands: PathCommand[] = [{ op: 'moveTo', x: first.x, y: first.y }]
  if (rest.length === 1) {
    const only = rest[0]!
    commands.push({ op: 'lineTo', x: only.x, y: only.y })
    return commands
  }
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!
    const n = points[i + 1]!
    commands.push({ op: 'quadraticCurveTo', cpx: p.x, cpy: p.y, x: (p.x + n.x) / 2, y: (p.y + n.y) / 2 })
  }
  const last = points[points.length - 1]!
  commands.push({ op: 'lineTo', x: last.x, y: last.y })
  return commands
}

/** The subset of CanvasRenderingContext2D the renderer uses (lets tests pass a recorder). */
export type DrawingContext = Pick<
  CanvasRenderingContext2D,
  | 'save'
  | 'restore'
  | 'setTransform'
  | 'fillRect'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'quadraticCurveTo'
  | 'arc'
  | 'fill'
  | 'stroke'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'lineCap'
  | 'lineJoin'
>

export interface RenderOptions {
  /** Logical size of the canvas (CSS px). */
  width: number
  height: number
  /** Backing-store pixels per logical pixel (devicePixelRatio). */
  scale: number
  background: string
  ink: string
}

/** Paints the background and every visible stroke; the canvas is fully redrawn each time. */
export function renderDrawing(ctx: DrawingContext, drawing: Drawing, options: RenderOptions): void {
  const { width, height, scale, background, ink } = options
  ctx.save()
  ctx.setTransform(scale, 0, 0, scale, 0, 0)
  // An opaque background: the exported PNG must not be transparent.
  ctx.fillStyle = background
  ctx.fillRect(0, 0, width, height)
  ctx.strokeStyle = ink
  ctx.fillStyle = ink
  ctx.lineCap = 'round'
  ctx.lineJoin = 'round'
  for (const stroke of visibleStrokes(drawing)) {
    ctx.lineWidth = stroke.size
    ctx.beginPath()
    for (const command of strokePath(stroke.points)) {
      switch (command.op) {
        case 'dot':
          ctx.arc(command.x, command.y, stroke.size / 2, 0, Math.PI * 2)
          ctx.fill()
          break
        case 'moveTo':
          ctx.moveTo(command.x, command.y)
          break
        case 'lineTo':
          ctx.lineTo(command.x, command.y)
          break
        case 'quadraticCurveTo':
          ctx.quadraticCurveTo(command.cpx, command.cpy, command.x, command.y)
          break
      }
    }
    if (stroke.points.length > 1) ctx.stroke()
  }
  ctx.restore()
}
