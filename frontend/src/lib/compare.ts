/**
 * "Compare all models": the same image goes to every model, one request after another (so
 * that the latencies, measured in the browser, are not inflated by the other requests).
 */
import type { Prediction } from '../api/client'
import { errorMessage } from './format'
import { isAbortError } from './predictor'

export interface ModelAnswer {
  readonly model: string
  /** The model's answer, or null when its request failed. */
  readonly result: Prediction | null
  /** Why the request failed (the API's `detail`). */
  readonly error: string | null
  /** Round trip measured in the browser, in ms. */
  readonly latencyMs: number
}

export type PredictWith = (model: string, signal: AbortSignal) => Promise<Prediction>

export interface CompareOptions {
  /** Clock in ms (tests). */
  now?: () => number
}


/**
 * Asks every model in `models` through `predict`; a model that fails gets an answer with its
 * error, the others still answer. An abort stops the whole comparison (rethrown).
 */
export async function compareModels(
  models: readonly string[],
  predict: PredictWith,
  signal: AbortSignal,
  { now = () => performance.now() }: CompareOptions = {},
): Promise<ModelAnswer[]> {
  const answers: ModelAnswer[] = []
  for (const model of models) {
    signal.throwIfAborted()
    const started = now()
    try {
      const result = await predict(model, signal)
      answers.push({ model, result, error: null, latencyMs: now() - started })
    } catch (error) {
      if (isAbortError(error) || signal.aborted) throw error
      answers.push({ model, result: null, error: errorMessage(error), latencyMs: now() - started })
    }
  }
  return answers
}

/** What a model made of the input: a digit it reads, "not a digit", or a guess (null). */
export type Reading = number | 'not_a_digit' | null

/** One answer's reading: its digit only when its verdict is "digit". */
export function reading(result: Prediction): Reading {
  if (result.verdict === 'digit') return result.digit
  return result.verdict === 'not_a_digit' ? 'not_a_digit' : null
}

/**
 * What every successful answer agrees on: the digit they all read, or "not_a_digit" when none
 * sees a digit; null when they disagree, any is unsure, or none answered.
 */
export function consensus(answers: readonly ModelAnswer[]): number | 'not_a_digit' | null {
  const readings = new Set(answers.flatMap((a) => (a.result ? [reading(a.result)] : [])))
  if (readings.size !== 1) return null
  return [...readings][0] ?? null
}
