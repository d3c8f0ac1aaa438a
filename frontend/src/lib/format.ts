/** 0.9731 → "97.3%"; 0.99996 → ">99.9%", so that a near-certain answer does not read as certain. */
export function formatPercent(value: number): string {
  if (!Number.isFinite(value)) return '–'
  const percent = Math.min(1, Math.max(0, value)) * 100
  if (percent >= 99.95 && percent < 100) return '>99.9%'
  if (percent > 0 && percent < 0.05) return '<0.1%'
  return `${percent.toFixed(1)}%`
}

/** The most likely digit other than `digit` (the runner-up of a prediction). */
export function runnerUp(probabilities: readonly number[], digit: number): number {
  let best = -1
  probabilities.forEach((p, d) => {
    if (d !== digit && (best === -1 || p > (probabilities[best] ?? -Infinity))) best = d
  })
  return best
}

/** 1_234_567 → "1.2 MB" (decimal units, like file managers). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–'
  if (bytes < 1000) return `${Math.round(bytes)} B`
  const units = ['kB', 'MB', 'GB']
  let value = bytes / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

/** Milliseconds measured in the browser → "38 ms", "1.4 s". */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(1)} s`
}

/** Test accuracy in [0, 1] → "99.61%"; null when the model card has none. */
export function formatAccuracy(accuracy: number | null | undefined): string | null {
  if (accuracy === null || accuracy === undefined || !Number.isFinite(accuracy)) return null
  return `${(accuracy * 100).toFixed(2)}%`
}

/** The "Not sure — maybe 4, or 9" wording of an uncertain answer. */
export function uncertainText(digit: number, second: number): string {
  return `Not sure — maybe ${digit}, or ${second}`
}

/** What the service made of an input (the API's `verdict`). */
export type Verdict = 'digit' | 'uncertain' | 'not_a_digit'

/** The headline of a `not_a_digit` answer. */
export const NOT_A_DIGIT = "That doesn't look like a digit"

export interface Candidate {
  digit: number
  probability: number
}

/** The two leading digits of an answer, most likely first, with their probabilities. */
export function candidates(result: { digit: number; probabilities: readonly number[] }): [Candidate, Candidate] {
  const second = runnerUp(result.probabilities, result.digit)
  return [
    { digit: result.digit, probability: result.probabilities[result.digit] ?? 0 },
    { digit: second, probability: result.probabilities[second] ?? 0 },
  ]
}

/** What a screen reader announces about an answer: short, and the same while the reading is. */
export function announcement(result: { digit: number; verdict: Verdict; probabilities: readonly number[] }): string {
  if (result.verdict === 'not_a_digit') return `${NOT_A_DIGIT}.`
  if (result.verdict === 'uncertain') return `${uncertainText(result.digit, runnerUp(result.probabilities, result.digit))}.`
  return `The model reads ${result.digit}.`
}

/** What to show for a failed request: its message (an ApiError carries the API's `detail`). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return 'Something went wrong.'
}
