import { describe, expect, it } from 'vitest'
import {
  boxStyle,
  emptyTimedDrawing,
  labelAlign,
  labelInside,
  labelRows,
  lastTime,
  sideBySideGroups,
  toTimedDrawing,
  isEmptyTimed,
  timedReducer,
  toRenderDrawing,
  toRequestStrokes,
} from './numberDrawing'

describe('numberDrawing', () => {
  it('records strokes with their times and sends only finished ones', () => {
    let d = timedReducer(emptyTimedDrawing, { type: 'begin', x: 1, y: 2, t: 0.4 })
    d = timedReducer(d, { type: 'extend', x: 1.2, y: 2, t: 5 }) // too close: dropped
    d = timedReducer(d, { type: 'extend', x: 10, y: 20, t: 16.6 })
    expect(toRequestStrokes(d)).toEqual([])
    expect(isEmptyTimed(d)).toBe(false)
    d = timedReducer(d, { type: 'end' })
    expect(toRequestStrokes(d)).toEqual([
      [
        [1, 2, 0],
        [10, 20, 17],
      ],
    ])
    expect(timedReducer(d, { type: 'extend', x: 50, y: 50, t: 20 })).toBe(d)
    expect(timedReducer(d, { type: 'end' })).toBe(d)
  })

  it('commits an open stroke when a new one begins, undoes and clears', () => {
    let d = timedReducer(emptyTimedDrawing, { type: 'begin', x: 0, y: 0, t: 0 })
    d = timedReducer(d, { type: 'begin', x: 5, y: 5, t: 100 })
    expect(d.strokes).toHaveLength(1)
    d = timedReducer(d, { type: 'undo' })
    expect(d.active).toBeNull()
    d = timedReducer(d, { type: 'undo' })
    expect(isEmptyTimed(d)).toBe(true)
    d = timedReducer(timedReducer(d, { type: 'begin', x: 0, y: 0, t: 0 }), { type: 'end' })
    expect(timedReducer(d, { type: 'clear' })).toBe(emptyTimedDrawing)
  })

  it('converts to the renderer and places boxes in percent of the canvas', () => {
    const d = { strokes: [[[1, 2, 0] as const]], active: [[3, 4, 9] as const] }
    expect(toRenderDrawing(d, 22)).toEqual({
      strokes: [{ points: [{ x: 1, y: 2 }], size: 22 }],
      active: { points: [{ x: 3, y: 4 }], size: 22 },
      undone: [],
    })
    expect(toRenderDrawing({ strokes: [], active: null }, 22).active).toBeNull()
    expect(boxStyle([84, 28, 210, 140], 840, 280)).toEqual({ left: '10.00%', top: '10.00%', width: '25.00%', height: '50.00%' })
    expect(boxStyle([-10, 0, 2000, 0], 840, 280).left).toBe('0.00%')
    // A box at the pad's top edge shows its label inside, as there is no room above it.
    expect(labelInside([84, 5, 100, 200], 280)).toBe(true)
    expect(labelInside([84, 60, 100, 200], 280)).toBe(false)
    // Labels are centred over their box, but not past the pad's sides.
    expect(labelAlign([300, 60, 30, 200], 840)).toBe('center')
    expect(labelAlign([5, 60, 30, 200], 840)).toBe('start')
    expect(labelAlign([810, 60, 25, 200], 840)).toBe('end')
    expect(boxStyle([], 840, 280).width).toBe('0.00%')
  })

  it('puts the label of a digit close to its neighbour under its box, so no two labels overlap', () => {
    // 2011 written compactly: the labels of the 0 and the first 1 do not overlap, the two 1s' do.
    expect(labelRows([[320, 394], [443, 517], [527, 601], [580, 654]])).toEqual(['above', 'above', 'above', 'below'])
    // Three close digits: above, below, above again once the first label is passed.
    expect(labelRows([[0, 70], [40, 110], [80, 150]])).toEqual(['above', 'below', 'above'])
    // Four labels on top of each other: the row where the overlap is smaller.
    expect(labelRows([[0, 70], [10, 80], [20, 90], [30, 100]])).toEqual(['above', 'below', 'above', 'below'])
    // Not laid out yet (no width): above.
    expect(labelRows([[0, 0], [0, 0]])).toEqual(['above', 'above'])
    // A label below a box at the pad's bottom edge goes inside it.
    expect(labelInside([84, 60, 100, 200], 280, 'below')).toBe(true)
    expect(labelInside([84, 20, 100, 200], 280, 'below')).toBe(false)
  })

  it('counts the digits a Digit-mode drawing holds side by side, and carries it to the Number mode', () => {
    const stroke = (xs: number[], size = 20, t?: number) => ({
      points: xs.map((x, i) => ({ x, y: 10 * i, ...(t === undefined ? {} : { t: t + i }) })),
      size,
    })
    // A 1 and a 2 apart; a 4's two strokes overlap; strokes 20 px apart whose brush (20) makes them touch.
    expect(sideBySideGroups([stroke([40, 42]), stroke([120, 200, 130])])).toBe(2)
    expect(sideBySideGroups([stroke([40, 60, 100]), stroke([80, 82])])).toBe(1)
    expect(sideBySideGroups([stroke([40]), stroke([60])])).toBe(1)
    expect(sideBySideGroups([])).toBe(0)
    // 280 x 280 into 840 x 280: the same size, centred (280 px to the right); times from the first point.
    const drawing = { strokes: [stroke([40, 42], 20, 5000), stroke([120], 20, 5600)], active: null, undone: [] }
    const carried = toTimedDrawing(drawing, 280, 840, 280)
    expect(carried.strokes).toEqual([
      [[320, 0, 0], [322, 10, 1]],
      [[400, 0, 600]],
    ])
    expect(lastTime(carried)).toBe(600)
    // Without times, a second apart per stroke.
    const untimed = toTimedDrawing({ strokes: [stroke([40, 42]), stroke([120])], active: null, undone: [] }, 280, 840, 280)
    expect(untimed.strokes.map((s) => s.map(([, , t]) => t))).toEqual([[0, 1], [1000]])
    expect(lastTime({ strokes: [], active: null })).toBe(0)
  })
})
