import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPredictor, isAbortError, type PredictTask } from './predictor'

interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

function setup(options: { delay?: number; maxWait?: number } = {}) {
  const onResult = vi.fn()
  const onError = vi.fn()
  const onStart = vi.fn()
  const onSettled = vi.fn()
  const predictor = createPredictor<string>({ delay: 150, ...options, onResult, onError, onStart, onSettled })
  return { predictor, onResult, onError, onStart, onSettled }
}

const abortError = () => new DOMException('The operation was aborted.', 'AbortError')

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('createPredictor', () => {
  it('debounces: only the last of a burst of changes is sent', async () => {
    const { predictor, onResult } = setup()
    const task = vi.fn<PredictTask<string>>(async () => 'latest')
    const stale = vi.fn<PredictTask<string>>(async () => 'stale')
    predictor.schedule(stale)
    vi.advanceTimersByTime(100)
    predictor.schedule(stale)
    vi.advanceTimersByTime(100)
    predictor.schedule(task)
    vi.advanceTimersByTime(149)
    expect(task).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(stale).not.toHaveBeenCalled()
    expect(task).toHaveBeenCalledTimes(1)
    await vi.runAllTimersAsync()
    expect(onResult).toHaveBeenCalledExactlyOnceWith('latest')
  })

  it('sends at least every maxWait ms while changes keep coming', () => {
    const { predictor } = setup({ delay: 150, maxWait: 400 })
    const task = vi.fn<PredictTask<string>>(async () => 'x')
    for (let t = 0; t < 450; t += 50) {
      predictor.schedule(task)
      vi.advanceTimersByTime(50)
    }
    expect(task).toHaveBeenCalledTimes(1)
  })

  it('flush sends at once and cancels the pending timer', () => {
    const { predictor, onStart } = setup()
    const task = vi.fn<PredictTask<string>>(async () => 'now')
    predictor.schedule(task)
    predictor.flush()
    expect(task).toHaveBeenCalledTimes(1)
    expect(onStart).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1000)
    expect(task).toHaveBeenCalledTimes(1)
  })

  it('aborts the request in flight when a newer one starts and ignores its late answer', async () => {
    const { predictor, onResult, onError } = setup()
    const first = deferred<string>()
    const second = deferred<string>()
    let firstSignal: AbortSignal | undefined
    predictor.flush((signal) => {
      firstSignal = signal
      return first.promise
    })
    expect(predictor.busy).toBe(true)
    predictor.flush(() => second.promise)
    expect(firstSignal?.aborted).toBe(true)

    // The stale request ignores the signal and still answers: its result must not be shown.
    first.resolve('stale')
    second.resolve('fresh')
    await vi.runAllTimersAsync()
    expect(onResult).toHaveBeenCalledExactlyOnceWith('fresh')
    expect(onError).not.toHaveBeenCalled()
    expect(predictor.busy).toBe(false)
  })

  it('does not report the AbortError of a superseded request', async () => {
    const { predictor, onError, onResult } = setup()
    predictor.flush(
      (signal) =>
        new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(abortError()))),
    )
    predictor.flush(async () => 'ok')
    await vi.runAllTimersAsync()
    expect(onError).not.toHaveBeenCalled()
    expect(onResult).toHaveBeenCalledExactlyOnceWith('ok')
  })

  it('reports errors of the current request', async () => {
    const { predictor, onError, onSettled } = setup()
    const failure = new Error('boom')
    predictor.flush(async () => {
      throw failure
    })
    await vi.runAllTimersAsync()
    expect(onError).toHaveBeenCalledExactlyOnceWith(failure)
    expect(onSettled).toHaveBeenCalledTimes(1)
  })

  it('reports a task that throws synchronously as an error', async () => {
    const { predictor, onError } = setup()
    predictor.flush(() => {
      throw new Error('sync')
    })
    await vi.runAllTimersAsync()
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('cancel drops the pending request and the one in flight', async () => {
    const { predictor, onResult } = setup()
    const inFlight = deferred<string>()
    let signal: AbortSignal | undefined
    predictor.flush((s) => {
      signal = s
      return inFlight.promise
    })
    const pending = vi.fn<PredictTask<string>>(async () => 'pending')
    predictor.schedule(pending)
    predictor.cancel()
    expect(signal?.aborted).toBe(true)
    inFlight.resolve('late')
    await vi.runAllTimersAsync()
    expect(pending).not.toHaveBeenCalled()
    expect(onResult).not.toHaveBeenCalled()
    expect(predictor.busy).toBe(false)
  })
})

describe('isAbortError', () => {
  it('recognises abort errors only', () => {
    expect(isAbortError(abortError())).toBe(true)
    expect(isAbortError(new Error('x'))).toBe(false)
    expect(isAbortError(null)).toBe(false)
  })
})
