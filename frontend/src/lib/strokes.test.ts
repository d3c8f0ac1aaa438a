import { describe, expect, it } from 'vitest'
import {
  beginStroke,
  canRedo,
  canUndo,
  clearDrawing,
  drawingReducer,
  emptyDrawing,
  endStroke,
  extendStroke,
  isEmpty,
  redoStroke,
  renderDrawing,
  strokePath,
  undoStroke,
  visibleStrokes,
  type Drawing,
  type DrawingAction,
  type DrawingContext,
} from './strokes'

const run = (actions: DrawingAction[], start: Drawing = emptyDrawing) => actions.reduce(drawingReducer, start)

const line = (size = 20): DrawingAction[] => [
  { type: 'begin', point: { x: 10, y: 10 }, size },
  { type: 'extend', points: [{ x: 20, y: 20 }, { x: 30, y: 30 }] },
  { type: 'end' },
]

describe('stroke model', () => {
  it('starts empty', () => {
    expect(isEmpty(emptyDrawing)).toBe(true)
    expect(visibleStrokes(emptyDrawing)).toEqual([])
  })

  it('records a stroke from begin to end', () => {
    let d = beginStroke(emptyDrawing, { x: 1, y: 2 }, 18)
    expect(d.active).toEqual({ points: [{ x: 1, y: 2 }], size: 18 })
    expect(isEmpty(d)).toBe(false)
    d = extendStroke(d, [{ x: 5, y: 6 }])
    d = endStroke(d)
    expect(d.active).toBeNull()
    expect(d.strokes).toEqual([{ points: [{ x: 1, y: 2 }, { x: 5, y: 6 }], size: 18 }])
  })

  it('drops points that are too close to the previous one', () => {
    const d = extendStroke(beginStroke(emptyDrawing, { x: 0, y: 0 }, 10), [
      { x: 0.1, y: 0.1 },
      { x: 3, y: 0 },
      { x: 3.2, y: 0 },
    ])
    expect(d.active?.points).toEqual([{ x: 0, y: 0 }, { x: 3, y: 0 }])
  })

  it('returns the same object when nothing changes', () => {
    const d = beginStroke(emptyDrawing, { x: 0, y: 0 }, 10)
    expect(extendStroke(d, [{ x: 0.2, y: 0 }])).toBe(d)
    expect(extendStroke(emptyDrawing, [{ x: 9, y: 9 }])).toBe(emptyDrawing)
    expect(endStroke(emptyDrawing)).toBe(emptyDrawing)
    expect(undoStroke(emptyDrawing)).toBe(emptyDrawing)
    expect(redoStroke(emptyDrawing)).toBe(emptyDrawing)
  })

  it('undo removes strokes one at a time, newest first', () => {
    const d = run([...line(10), ...line(20), ...line(30)])
    expect(d.strokes.map((s) => s.size)).toEqual([10, 20, 30])
    const once = undoStroke(d)
    expect(once.strokes.map((s) => s.size)).toEqual([10, 20])
    const all = undoStroke(undoStroke(once))
    expect(isEmpty(all)).toBe(true)
  })

  it('undo during a stroke discards only the stroke in progress', () => {
    const d = run([...line(10), { type: 'begin', point: { x: 50, y: 50 }, size: 12 }])
    const undone = undoStroke(d)
    expect(undone.active).toBeNull()
    expect(undone.strokes).toHaveLength(1)
  })

  it('clear drops everything', () => {
    const d = run([...line(), { type: 'begin', point: { x: 1, y: 1 }, size: 5 }])
    expect(d.strokes).toHaveLength(1)
    expect(isEmpty(run([{ type: 'clear' }], d))).toBe(true)
    expect(clearDrawing()).toBe(emptyDrawing)
  })

  it('redo puts undone strokes back in order, newest undone first', () => {
    const d = run([...line(10), ...line(20), ...line(30)])
    expect(canUndo(d)).toBe(true)
    expect(canRedo(d)).toBe(false)
    const undone = run([{ type: 'undo' }, { type: 'undo' }], d)
    expect(undone.strokes.map((s) => s.size)).toEqual([10])
    expect(canRedo(undone)).toBe(true)
    const once = run([{ type: 'redo' }], undone)
    expect(once.strokes.map((s) => s.size)).toEqual([10, 20])
    const twice = redoStroke(once)
    expect(twice.strokes).toEqual(d.strokes)
    expect(canRedo(twice)).toBe(false)
    expect(redoStroke(twice)).toBe(twice)
  })

  it('undo and redo work down to an empty canvas and back', () => {
    const d = run([...line(10), { type: 'undo' }])
    expect(isEmpty(d)).toBe(true)
    expect(canUndo(d)).toBe(false)
    expect(canRedo(d)).toBe(true)
    expect(run([{ type: 'redo' }], d).strokes.map((s) => s.size)).toEqual([10])
  })

  it('a new stroke forgets what was undone; clear forgets everything', () => {
    const undone = run([...line(10), ...line(20), { type: 'undo' }])
    const drawn = run(line(30), undone)
    expect(drawn.strokes.map((s) => s.size)).toEqual([10, 30])
    expect(canRedo(drawn)).toBe(false)
    expect(canRedo(run([{ type: 'clear' }], undone))).toBe(false)
  })

  it('does not redo while a stroke is in progress; undoing that stroke is not redoable', () => {
    const d = run([...line(10), ...line(20), { type: 'undo' }])
    const drawing = { ...d, active: { points: [{ x: 1, y: 1 }], size: 5 } }
    expect(redoStroke(drawing)).toBe(drawing)
    const dropped = undoStroke(drawing)
    expect(dropped.active).toBeNull()
    expect(dropped.undone).toEqual(d.undone)
  })

  it('a new stroke commits one that was left open', () => {
    const d = run([
      { type: 'begin', point: { x: 1, y: 1 }, size: 5 },
      { type: 'begin', point: { x: 9, y: 9 }, size: 5 },
    ])
    expect(d.strokes).toHaveLength(1)
    expect(d.active?.points).toEqual([{ x: 9, y: 9 }])
  })
})

describe('strokePath', () => {
  it('turns a single point into a dot', () => {
    expect(strokePath([{ x: 4, y: 5 }])).toEqual([{ op: 'dot', x: 4, y: 5 }])
    expect(strokePath([])).toEqual([])
  })

  it('draws two points as a straight line', () => {
    expect(strokePath([{ x: 0, y: 0 }, { x: 10, y: 0 }])).toEqual([
      { op: 'moveTo', x: 0, y: 0 },
      { op: 'lineTo', x: 10, y: 0 },
    ])
  })

  it('smooths longer strokes with curves through the midpoints', () => {
    const path = strokePath([
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 10 },
      { x: 20, y: 10 },
    ])
    expect(path).toEqual([
      { op: 'moveTo', x: 0, y: 0 },
      { op: 'quadraticCurveTo', cpx: 10, cpy: 0, x: 10, y: 5 },
      { op: 'quadraticCurveTo', cpx: 10, cpy: 10, x: 15, y: 10 },
      { op: 'lineTo', x: 20, y: 10 },
    ])
  })
})

describe('renderDrawing', () => {
  function recorder() {
    const calls: string[] = []
    const ctx = new Proxy({} as Record<string, unknown>, {
      get: (obj, key: string) =>
        key in obj ? obj[key] : (...args: unknown[]) => calls.push(`${key}(${args.join(',')})`),
      set: (obj, key: string, value) => {
        obj[key] = value
        calls.push(`${key}=${String(value)}`)
        return true
      },
    })
    return { ctx: ctx as unknown as DrawingContext, calls }
  }

  it('paints an opaque background and round, scaled strokes', () => {
    const { ctx, calls } = recorder()
    const d = run([...line(24), { type: 'begin', point: { x: 100, y: 100 }, size: 8 }])
    renderDrawing(ctx, d, { width: 280, height: 280, scale: 2, background: '#fff', ink: '#111' })
    expect(calls[0]).toBe('save()')
    expect(calls).toContain('setTransform(2,0,0,2,0,0)')
    expect(calls.indexOf('fillStyle=#fff')).toBeLessThan(calls.indexOf('fillRect(0,0,280,280)'))
    expect(calls).toContain('lineCap=round')
    expect(calls).toContain('lineJoin=round')
    expect(calls).toContain('lineWidth=24')
    expect(calls).toContain('stroke()')
    // The single-point active stroke is drawn as a filled dot of the brush's diameter.
    expect(calls).toContain(`arc(100,100,4,0,${Math.PI * 2})`)
    expect(calls.at(-1)).toBe('restore()')
  })

  it('draws only the background for an empty drawing', () => {
    const { ctx, calls } = recorder()
    renderDrawing(ctx, emptyDrawing, { width: 10, height: 10, scale: 1, background: 'white', ink: 'black' })
    expect(calls).not.toContain('stroke()')
    expect(calls).toContain('fillRect(0,0,10,10)')
  })
})

describe('undoable clear', () => {
  it('undo on a cleared canvas brings the drawing back; a new stroke after it is undone first', () => {
    const point = { x: 1, y: 1 }
    let d = drawingReducer(emptyDrawing, { type: 'begin', point, size: 10 })
    d = drawingReducer(d, { type: 'end' })
    d = drawingReducer(d, { type: 'begin', point, size: 12 })
    d = drawingReducer(d, { type: 'end' })
    const drawn = d.strokes
    d = drawingReducer(d, { type: 'clear' })
    expect(isEmpty(d)).toBe(true)
    expect(canUndo(d)).toBe(true)
    d = drawingReducer(d, { type: 'begin', point, size: 20 })
    d = drawingReducer(d, { type: 'end' })
    d = drawingReducer(d, { type: 'undo' })
    expect(isEmpty(d)).toBe(true)
    d = drawingReducer(d, { type: 'undo' })
    expect(d.strokes).toEqual(drawn)
    expect(canUndo(d)).toBe(true)
    // Clearing an empty canvas keeps nothing to undo.
    expect(canUndo(drawingReducer(emptyDrawing, { type: 'clear' }))).toBe(false)
  })
})
