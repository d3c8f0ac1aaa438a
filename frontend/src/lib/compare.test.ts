import { describe, expect, it, vi } from 'vitest'
import type { Prediction } from '../api/client'
import { compareModels, consensus, type ModelAnswer } from './compare'

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

describe('compareModels', () => {
  it('asks the models one after another and times each request', async () => {
    let clock = 0
    const order: string[] = []
    const predict = vi.fn(async (model: string) => {
      order.push(`start ${model}`)
      clock += model === 'slow' ? 120 : 15
      await Promise.resolve()
      order.push(`end ${model}`)
      return answer(model, 7)
    })
    const answers = await compareModels(['fast', 'slow'], predict, new AbortController().signal, { now: () => clock })
    expect(order).toEqual(['start fast', 'end fast', 'start slow', 'end slow'])
    expect(answers.map((a) => [a.model, a.result?.digit, a.latencyMs])).toEqual([
      ['fast', 7, 15],
      ['slow', 7, 120],
    ])
  })

  it('keeps going when one model fails, with its error message', async () => {
    const predict = vi.fn(async (model: string) => {
      if (model === 'broken') throw new Error('model broken is not loaded')
      return answer(model, 3)
    })
    const answers = await compareModels(['a', 'broken', 'b'], predict, new AbortController().signal)
    expect(answers.map((a) => a.error)).toEqual([null, 'Model broken is not loaded.', null])
    expect(answers[1]!.result).toBeNull()
  })

  it('stops at an abort and rethrows it', async () => {
    const controller = new AbortController()
    const predict = vi.fn(async (model: string) => {
      controller.abort()
      return answer(model, 1)
    })
    await expect(compareModels(['a', 'b'], predict, controller.signal)).rejects.toMatchObject({ name: 'AbortError' })
    expect(predict).toHaveBeenCalledTimes(1)
  })
})

describe('consensus', () => {
  const ok = (model: string, digit: number, verdict: Prediction['verdict'] = 'digit'): ModelAnswer => ({
    model,
    result: answer(model, digit, verdict),
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
