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

/** A model's time on the server, in ms → "0.61 ms" (under 10 ms, two decimals), else as `formatLatency`. */
export function formatInference(ms: number): string {
  if (Number.isFinite(ms) && ms >= 0 && ms < 10) return `${ms.toFixed(2)} ms`
  return formatLatency(ms)
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

/**
 * What a person is told for each error `code` of the API (`ErrorResponse.code`): a sentence
 * that says what happened and what to do, instead of the API's technical `detail`.
 */
export const ERROR_SENTENCES: Readonly<Record<string, string>> = {
  invalid_request: 'The app sent something the service did not understand. Reload the page and try again.',
  invalid_base64: 'The picture could not be sent properly. Clear it and try again.',
  invalid_image: "That file isn't an image the service can read. Try a PNG, JPEG, WebP, BMP or GIF.",
  image_too_large: 'That image has too many pixels. Try a smaller photo or a crop of the digit.',
  payload_too_large: 'That file is too big to send. Try a smaller photo (a few megabytes at most).',
  batch_too_large: 'Too many images at once. Send fewer images per request.',
  empty_image: "There's nothing to read yet: the image looks blank. Draw or photograph a digit.",
  unknown_model: 'That model is not available any more. Pick another model from the list.',
  model_unavailable: "This model isn't loaded on the service right now. Try again in a moment or pick another model.",
  not_found: 'The service does not know this address. Reload the page.',
  method_not_allowed: 'The service refused this kind of request. Reload the page.',
  http_error: 'The service could not answer this request. Try again in a moment.',
  strokes_too_long: 'That drawing has too many strokes to keep. Clear it and draw the digit again.',
  invalid_client_id: 'This browser sent an id the service does not accept. Reload the page.',
  unauthorized: 'This needs the admin token.',
  forbidden: 'The admin token was not accepted.',
  feedback_not_found: 'That drawing is not stored (any more).',
  rate_limited: "That's a lot of drawings in a short time. Wait a minute, then send more.",
  database_unavailable: "Feedback can't be stored right now. Try again later; recognition still works.",
  reload_failed: 'The new model could not be loaded; the current one is still answering.',
}

/** The sentence for a connection that failed (no answer at all). */
export const UNREACHABLE_SENTENCE = "Can't reach the recognition service. Check your connection; it will retry by itself."

/** Upper-cases the first letter and ends with a full stop: the API's `detail` as a sentence. */
function asSentence(text: string): string {
  const trimmed = text.trim()
  if (trimmed === '') return 'Something went wrong.'
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`
}

/**
 * What to show for a failed request: the sentence for its code (see `ERROR_SENTENCES`), or for
 * an unreachable service; an error without a known code shows its message as a sentence.
 */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, kind } = error as { code?: unknown; kind?: unknown }
    if (typeof code === 'string' && code in ERROR_SENTENCES) return ERROR_SENTENCES[code]!
    if (kind === 'unreachable') return UNREACHABLE_SENTENCE
  }
  if (error instanceof Error && error.message) return asSentence(error.message)
  return 'Something went wrong.'
}
