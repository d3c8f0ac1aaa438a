import { describe, expect, it } from 'vitest'
import type { Prediction } from '../api/client'
import { answersOf, consensus, type ModelAnswer } from './compare'

function answer(model: string, digit: number, verdict: Prediction['verdict'] = 'digit'): Prediction {
  return {
    digit,
    confidence: 0.9,
    verdict,
    uncertain: verdict !== 'digit',
    not_a_digit: verdict === 'not_a_digit' ? 0.9 : 0.01,
    probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? 0.9 : 0.1 / 9)),
    model,
    model_version: `${model}-v1`,
    input_image: '',
  }
}

describe('answersOf', () => {
  it("turns one response's comparison into every model's answer, in order, with its server time", () => {
    const response: Prediction = {
      ...answer('cnn', 7),
      comparison: [
        { ...answer('cnn', 7), inference_ms: 0.6 },
        { ...answer('mlp-numpy', 1), inference_ms: 0.03 },
      ],
    }
    expect(answersOf(response).map((a) => [a.model, a.result?.digit, a.latencyMs, a.error])).toEqual([
      ['cnn', 7, 0.6, null],
      ['mlp-numpy', 1, 0.03, null],
    ])
    expect(answersOf(answer('cnn', 7))).toEqual([])
  })
})

describe('consensus', () => {
  const ok = (model: string, digit: number, verdict: Prediction['verdict'] = 'digit'): ModelAnswer => ({
    model,
    result: { ...answer(model, digit, verdict), inference_ms: 1 },
    error: null,
    latencyMs: 1,
  })
  const failed: ModelAnswer = { model: 'x', result: null, error: 'no', latencyMs: 1 }

  it('is the digit all answering models agree on', () => {
    expect(consensus([ok('a', 4), ok('b', 4), failed])).toBe(4)
  })

  it('is null when they disagree or nobody answered', () => {
    expect(consensus([ok('a', 4), ok('b', 9)])).toBeNull()
    expect(consensus([failed])).toBeNull()
    expect(consensus([])).toBeNull()
  })

  it('follows the verdicts: a refusal is not a digit, a guess agrees with nothing', () => {
    expect(consensus([ok('a', 4, 'not_a_digit'), ok('b', 9, 'not_a_digit')])).toBe('not_a_digit')
    expect(consensus([ok('a', 4), ok('b', 4, 'not_a_digit')])).toBeNull()
    expect(consensus([ok('a', 4), ok('b', 4, 'uncertain')])).toBeNull()
    expect(consensus([ok('a', 4, 'uncertain')])).toBeNull()
  })
})
