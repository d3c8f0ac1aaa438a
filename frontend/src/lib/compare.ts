/**
 * "Compare all models": one request names every model (`models` on `POST /predict`); the
 * service reads the same preprocessed image with each and answers their readings in
 * `comparison`, each with the time that model took on the server.
 */
import type { ModelReading, Prediction } from '../api/client'

export interface ModelAnswer {
  readonly model: string
  /** The model's reading, or null when it could not answer. */
  readonly result: ModelReading | null
  /** Why it could not answer. */
  readonly error: string | null
  /** Time the model took on the image, on the server, in ms. */
  readonly latencyMs: number
}

/** Every model's answer out of one response (empty when the response has no `comparison`). */
export function answersOf(prediction: Prediction): ModelAnswer[] {
  return (prediction.comparison ?? []).map((reading) => ({
    model: reading.model,
    result: reading,
    error: null,
    latencyMs: reading.inference_ms,
  }))
}

/** What a model made of the input: a digit it reads, "not a digit", or a guess (null). */
export type Reading = number | 'not_a_digit' | null

/** One answer's reading: its digit only when its verdict is "digit". */
export function reading(result: Pick<ModelReading, 'digit' | 'verdict'>): Reading {
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
