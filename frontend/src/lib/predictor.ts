/**
 * Debounced, cancellable request scheduling for live predictions.
 *
 * - `schedule(task)` (re)starts a debounce timer; while the user keeps drawing, a request still
 *   goes out at least every `maxWait` ms so the prediction follows the pen.
 * - `flush(task)` runs immediately (used when a stroke ends).
 * - Starting a request aborts the one in flight, and a result that arrives after a newer request
 *   started is dropped even if the task ignored the abort signal, so what is shown always belongs
 *   to the latest drawing.
 */

export type PredictTask<T> = (signal: AbortSignal) => Promise<T>

export interface PredictorCallbacks<T> {
  /** A request started (use it for a loading indicator). */
  onStart?: () => void
  onResult: (result: T) => void
  onError: (error: unknown) => void
  /** The latest request finished, successfully or not, and no newer one is pending. */
  onSettled?: () => void
}

export interface PredictorOptions<T> extends PredictorCallbacks<T> {
  /** Quiet time after the last change before a request is sent (ms). */
  delay: number
  /** Longest time a pending change may wait while changes keep coming (ms); default: no limit. */
  maxWait?: number
}

export interface Predictor<T> {
  schedule(task: PredictTask<T>): void
  flush(task?: PredictTask<T>): void
  /** Drops any pending request and aborts the one in flight. */
  cancel(): void
  /** True while a request is in flight. */
  readonly busy: boolean
}

export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    (error as { name: unknown }).name === 'AbortError'
  )
}

export function createPredictor<T>(options: PredictorOptions<T>): Predictor<T> {
  const { delay, maxWait } = options
  let pending: PredictTask<T> | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let firstScheduledAt: number | null = null
  let controller: AbortController | null = null
  let generation = 0

  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    firstScheduledAt = null
  }

  const run = (task: PredictTask<T>) => {
    clearTimer()
    pending = null
    controller?.abort()
    const current = new AbortController()
    controller = current
    const id = ++generation
    const isCurrent = () => id === generation && !current.signal.aborted
    options.onStart?.()
    let promise: Promise<T>
    try {
      promise = task(current.signal)
    } catch (error) {
      promise = Promise.reject(error)
    }
    promise.then(
      (result) => {
        if (!isCurrent()) return
        controller = null
        options.onResult(result)
        options.onSettled?.()
      },
      (error: unknown) => {
        if (!isCurrent()) return
        controller = null
        if (isAbortError(error)) return
        options.onError(error)
        options.onSettled?.()
      },
    )
  }

  return {
    schedule(task) {
      pending = task
      const now = Date.now()
      if (firstScheduledAt === null) firstScheduledAt = now
      if (timer !== null) clearTimeout(timer)
      let wait = delay
      if (maxWait !== undefined) wait = Math.max(0, Math.min(delay, firstScheduledAt + maxWait - now))
      timer = setTimeout(() => {
        timer = null
        if (pending) run(pending)
      }, wait)
    },
    flush(task) {
      const next = task ?? pending
      if (next) run(next)
    },
    cancel() {
      clearTimer()
      pending = null
      generation++
      controller?.abort()
      controller = null
    },
    get busy() {
      return controller !== null
    },
  }
}
