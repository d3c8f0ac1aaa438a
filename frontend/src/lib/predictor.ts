/**
 * Request scheduling for live predictions: at most one request in flight, the latest input next.
 *
 * - `submit(task)` sends at once when nothing is in flight and the last request started at least
 *   `minInterval` ms ago (the first change of a drawing, at pen-down, goes out immediately);
 *   otherwise `task` waits as the one pending request, replacing any older pending one. When the
 *   request in flight returns, its answer is shown (it is the freshest the service has given)
 *   and the pending task, the latest input, goes next. So on a slow link a guess arrives every
 *   round trip instead of each request being cancelled by the next one.
 * - `flush(task)` is `submit` without the `minInterval` wait (a stroke ended).
 * - `restart(task)` aborts the request in flight and sends `task` at once: the question changed
 *   (another model, another image), so the old answer would be wrong.
 * - `cancel()` drops everything (there is no input); a late answer is never reported.
 */

export type PredictTask<T> = (signal: AbortSignal) => Promise<T>

export interface PredictorCallbacks<T> {
  /** A request started (use it for a loading indicator). */
  onStart?: () => void
  onResult: (result: T) => void
  onError: (error: unknown) => void
  /** The request in flight finished, successfully or not, and nothing is pending. */
  onSettled?: () => void
}

export interface PredictorOptions<T> extends PredictorCallbacks<T> {
  /** Shortest time between the starts of two requests (ms); 0 for none. */
  minInterval?: number
  /** Clock in ms (tests). */
  now?: () => number
}

export interface Predictor<T> {
  submit(task: PredictTask<T>): void
  flush(task: PredictTask<T>): void
  restart(task: PredictTask<T>): void
  /** Drops the pending request and aborts the one in flight. */
  cancel(): void
  /** True while a request is in flight. */
  readonly busy: boolean
  /** True while a request waits for its turn. */
  readonly queued: boolean
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
  const { minInterval = 0, now = () => Date.now() } = options
  let pending: PredictTask<T> | null = null
  let pendingUrgent = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let controller: AbortController | null = null
  let lastStart = -Infinity
  let generation = 0

  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  /** Sends the pending task if its turn has come, or arms the timer for when it will. */
  const pump = () => {
    if (controller !== null || pending === null) return
    const wait = pendingUrgent ? 0 : lastStart + minInterval - now()
    if (wait > 0) {
      if (timer === null) {
        timer = setTimeout(() => {
          timer = null
          pump()
        }, wait)
      }
      return
    }
    const task = pending
    pending = null
    pendingUrgent = false
    run(task)
  }

  const run = (task: PredictTask<T>) => {
    clearTimer()
    const current = new AbortController()
    controller = current
    lastStart = now()
    const id = ++generation
    const isCurrent = () => id === generation && !current.signal.aborted
    options.onStart?.()
    let promise: Promise<T>
    try {
      promise = task(current.signal)
    } catch (error) {
      promise = Promise.reject(error)
    }
    const done = (report: () => void) => {
      if (!isCurrent()) return
      controller = null
      report()
      if (pending === null) options.onSettled?.()
      else pump()
    }
    promise.then(
      (result) => done(() => options.onResult(result)),
      (error: unknown) => done(() => (isAbortError(error) ? undefined : options.onError(error))),
    )
  }

  const enqueue = (task: PredictTask<T>, urgent: boolean) => {
    pending = task
    pendingUrgent = pendingUrgent || urgent
    if (urgent) clearTimer()
    pump()
  }

  const cancel = () => {
    clearTimer()
    pending = null
    pendingUrgent = false
    generation++
    controller?.abort()
    controller = null
  }

  return {
    submit: (task) => enqueue(task, false),
    flush: (task) => enqueue(task, true),
    restart(task) {
      cancel()
      run(task)
    },
    cancel,
    get busy() {
      return controller !== null
    },
    get queued() {
      return pending !== null
    },
  }
}
