import { describe, expect, it } from 'vitest'
import type { Prediction } from '../api/client'
import { deviceOf, feedbackBody, labelText, nextPrompt, predictedLabel, strokesOf } from './feedback'
import { emptyDrawing, type Drawing } from './strokes'

function answer(digit: number, verdict: Prediction['verdict'] = 'digit'): Prediction {
  return {
    digit,
    confidence: 0.9,
    verdict,
    uncertain: verdict !== 'digit',
    not_a_digit: 0.01,
    probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? 0.9 : 0.1 / 9)),
    model: 'cnn',
    model_version: 'cnn-v1',
    input_image: '',
  }
}

const drawing: Drawing = {
  strokes: [{ points: [{ x: 1.04, y: 2.06 }, { x: 3, y: 4 }], size: 20 }],
  active: { points: [{ x: 5, y: 6 }], size: 20 },
  undone: [],
}

describe('feedback helpers', () => {
  it('reads the answer as a label: its digit, or null for not a digit', () => {
    expect(predictedLabel(answer(4))).toBe(4)
    expect(predictedLabel(answer(4, 'uncertain'))).toBe(4)
    expect(predictedLabel(answer(4, 'not_a_digit'))).toBeNull()
    expect(labelText(null)).toBe('not a digit')
    expect(labelText(0)).toBe('0')
  })

  it('sends the strokes (the one being drawn too) as [x, y, t] in canvas pixels', () => {
    expect(strokesOf(drawing)).toEqual([[[1, 2.1, 0], [3, 4, 0]], [[5, 6, 0]]])
    expect(strokesOf(emptyDrawing)).toEqual([])
    const timed = {
      strokes: [{ points: [{ x: 0, y: 0, t: 1000 }, { x: 1, y: 1, t: 1016 }], size: 20 }],
      active: null,
      undone: [],
    } as Drawing
    expect(strokesOf(timed)).toEqual([[[0, 0, 0], [1, 1, 16]]])
  })

  it('builds the body of POST /feedback', () => {
    const body = feedbackBody(1, {
      image: 'data:image/png;base64,xyz',
      drawing,
      result: answer(7),
      canvas: { width: 280, height: 280 },
      device: 'touch',
    })
    expect(body).toMatchObject({ image: 'data:image/png;base64,xyz', label: 1, predicted: 7, model_version: 'cnn-v1' })
    expect(body.probabilities).toHaveLength(10)
    expect(body.canvas).toEqual({ width: 280, height: 280 })
    expect(body.device).toBe('touch')
    const teach = feedbackBody(4, { image: 'x', drawing, result: null, canvas: null, device: null })
    expect(teach).toMatchObject({ label: 4, predicted: null, model_version: 'none', probabilities: null })
  })

  it('knows touch, mouse and pen', () => {
    expect(deviceOf('touch')).toBe('touch')
    expect(deviceOf('pen')).toBe('pen')
    expect(deviceOf('mouse')).toBe('mouse')
    expect(deviceOf('')).toBeNull()
    expect(deviceOf(null)).toBeNull()
  })

  it('prompts every digit and never the same twice in a row', () => {
    const seen = new Set<number>()
    let previous: number | null = null
    for (let i = 0; i < 200; i += 1) {
      const next = nextPrompt(previous, () => (i * 0.137) % 1)
      expect(next).not.toBe(previous)
      expect(next).toBeGreaterThanOrEqual(0)
      expect(next).toBeLessThanOrEqual(9)
      seen.add(next)
      previous = next
    }
    expect(seen.size).toBe(10)
    expect(nextPrompt(null, () => 0.999999)).toBe(9)
    expect(nextPrompt(9, () => 0.999999)).toBe(8)
    expect(nextPrompt(0, () => 0.999999)).toBe(9)
    expect(nextPrompt(0, () => 0)).toBe(1)
  })
})
