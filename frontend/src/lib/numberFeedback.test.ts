import { describe, expect, it, vi } from 'vitest'
import { FAKE_PNG } from '../test/setup'
import { cropCanvas, cropRect, digitFeedbackBody, digitStrokes } from './numberFeedback'

describe('cropRect', () => {
  it('grows the box by the margin, in whole pixels, inside the canvas', () => {
    expect(cropRect([100, 40, 60, 120], 840, 280)).toEqual({ x: 92, y: 32, width: 76, height: 136 })
    expect(cropRect([100.4, 40.6, 60, 120], 840, 280, 0)).toEqual({ x: 100, y: 40, width: 61, height: 121 })
    // At the edges: clipped to the canvas.
    expect(cropRect([2, 250, 50, 40], 840, 280)).toEqual({ x: 0, y: 242, width: 60, height: 38 })
    expect(cropRect([900, 300, 0, 0], 840, 280)).toEqual({ x: 839, y: 279, width: 1, height: 1 })
    expect(cropRect([], 840, 280, 0)).toEqual({ x: 0, y: 0, width: 1, height: 1 })
  })
})

describe('digitStrokes', () => {
  const rect = { x: 100, y: 20, width: 80, height: 100 }
  it('keeps the strokes mostly inside the crop, in its pixels, times kept', () => {
    const inside = [[110, 30, 500], [150.04, 90, 516.4]] as const
    const half = [[170, 60, 700], [300, 60, 716]] as const // one point of two inside: kept
    const outside = [[10, 30, 0], [60, 90, 16], [105, 40, 32]] as const // one of three: left out
    expect(digitStrokes([outside, inside, half, []], rect)).toEqual([
      [[10, 10, 500], [50, 70, 516]],
      [[70, 40, 700], [200, 40, 716]],
    ])
    expect(digitStrokes([outside], rect)).toEqual([])
  })
})

describe('cropCanvas', () => {
  it('draws the rectangle of the device-pixel canvas at logical size and exports a PNG', () => {
    const source = document.createElement('canvas')
    const crop = document.createElement('canvas')
    const create = vi.spyOn(document, 'createElement').mockReturnValueOnce(crop)
    const url = cropCanvas(source, { x: 10, y: 20, width: 30, height: 40 }, 2)
    create.mockRestore()
    expect(url).toBe(FAKE_PNG)
    expect([crop.width, crop.height]).toEqual([30, 40])
    expect(crop.getContext('2d')!.drawImage).toHaveBeenCalledWith(source, 20, 40, 60, 80, 0, 0, 30, 40)
  })

  it('gives nothing without a 2D context', () => {
    const source = document.createElement('canvas')
    const crop = document.createElement('canvas')
    vi.spyOn(crop, 'getContext').mockReturnValue(null)
    const create = vi.spyOn(document, 'createElement').mockReturnValueOnce(crop)
    expect(cropCanvas(source, { x: 0, y: 0, width: 1, height: 1 }, 1)).toBe('')
    create.mockRestore()
  })
})

describe('digitFeedbackBody', () => {
  const crop = { x: 0, y: 0, width: 70, height: 90 }
  const probabilities = [0.1, 0.9, 0, 0, 0, 0, 0, 0, 0, 0]
  it('labels the crop, with the digit read, the version and the crop size', () => {
    const body = digitFeedbackBody(7, {
      image: FAKE_PNG,
      strokes: [[[1, 2, 3]]],
      crop,
      digit: { digit: 1, verdict: 'uncertain', probabilities },
      modelVersion: 'cnn-v2',
      pointerType: 'mouse',
    })
    expect(body).toEqual({
      image: FAKE_PNG,
      label: 7,
      predicted: 1,
      model_version: 'cnn-v2',
      probabilities,
      strokes: [[[1, 2, 3]]],
      canvas: { width: 70, height: 90 },
      device: 'mouse',
    })
  })

  it('sends predicted null for a piece read as not a digit, and no strokes when none were found', () => {
    const body = digitFeedbackBody(null, {
      image: FAKE_PNG,
      strokes: [],
      crop,
      digit: { digit: 4, verdict: 'not_a_digit', probabilities },
      modelVersion: 'v',
      pointerType: null,
    })
    expect(body).toMatchObject({ label: null, predicted: null, strokes: null, device: null })
  })
})
