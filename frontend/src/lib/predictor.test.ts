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

function setup(options: { minInterval?: number } = {}) {
  const onResult = vi.fn()
  const onError = vi.fn()
  const onStart = vi.fn()
  const onSettled = vi.fn()
  const predictor = createPredictor<string>({ minInterval: 80, ...options, onResult, onError, onStart, onSettled })
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
  it('sends the first change at once (no debounce before the first guess)', () => {
    const { predictor, onStart } = setup()
    const task = vi.fn<PredictTask<string>>(async () => 'first')
    predictor.submit(task)
    expect(task).toHaveBeenCalledTimes(1)
    expect(onStart).toHaveBeenCalledTimes(1)
    expect(predictor.busy).toBe(true)
  })

  it('keeps one request in flight and sends only the latest change when it returns', async () => {
    const { predictor, onResult } = setup({ minInterval: 0 })
    const first = deferred<string>()
    const firstTask = vi.fn<PredictTask<string>>(() => first.promise)
    const skipped = vi.fn<PredictTask<string>>(async () => 'skipped')
    const latest = vi.fn<PredictTask<string>>(async () => 'latest')
    predictor.submit(firstTask)
    predictor.submit(skipped)
    predictor.submit(latest)
    expect(predictor.queued).toBe(true)
    expect(skipped).not.toHaveBeenCalled()
    expect(latest).not.toHaveBeenCalled()
    first.resolve('first')
    await vi.runAllTimersAsync()
    // The answer in flight is shown (it is the freshest), then the latest drawing goes.
    expect(onResult.mock.calls).toEqual([['first'], ['latest']])
    expect(skipped).not.toHaveBeenCalled()
    expect(latest).toHaveBeenCalledTimes(1)
    expect(predictor.busy).toBe(false)
    expect(predictor.queued).toBe(false)
  })

  it('on a slow link an answer arrives every round trip while the input keeps changing', async () => {
    const { predictor, onResult } = setup({ minInterval: 80 })
    const roundTrip = 600
    let n = 0
    const task: PredictTask<string> = () => {
      const id = ++n
      return new Promise((resolve) => setTimeout(() => resolve(`answer ${id}`), roundTrip))
    }
    // A change every 16 ms (a pointer moving) for 3 s.
    for (let t = 0; t < 3000; t += 16) {
      predictor.submit(task)
      await vi.advanceTimersByTimeAsync(16)
    }
    await vi.runAllTimersAsync()
    // ceil(3000 / 600) rounds while drawing, then the last drawing once more.
    expect(onResult.mock.calls.length).toBeGreaterThanOrEqual(5)
    expect(n).toBe(onResult.mock.calls.length)
    expect(n).toBeLessThanOrEqual(7)
  })

  it('waits minInterval between the starts of two requests, unless flushed', async () => {
    const { predictor } = setup({ minInterval: 80 })
    const task = vi.fn<PredictTask<string>>(async () => 'x')
    predictor.submit(task)
    await vi.advanceTimersByTimeAsync(10)
    predictor.submit(task)
    expect(task).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(60)
    expect(task).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(15)
    expect(task).toHaveBeenCalledTimes(2)

    predictor.submit(task)
    predictor.flush(task)
    await vi.advanceTimersByTimeAsync(0)
    expect(task).toHaveBeenCalledTimes(3)
  })

  it('restart aborts the request in flight and ignores its late answer', async () => {
    const { predictor, onResult, onError } = setup()
    const first = deferred<string>()
    const second = deferred<string>()
    let firstSignal: AbortSignal | undefined
    predictor.submit((signal) => {
      firstSignal = signal
      return first.promise
    })
    expect(predictor.busy).toBe(true)
    predictor.restart(() => second.promise)
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
    predictor.submit(
      (signal) =>
        new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(abortError()))),
    )
    predictor.restart(async () => 'ok')
    await vi.runAllTimersAsync()
    expect(onError).not.toHaveBeenCalled()
    expect(onResult).toHaveBeenCalledExactlyOnceWith('ok')
  })

  it('reports errors of the current request, then sends what is pending', async () => {
    const { predictor, onError, onSettled, onResult } = setup({ minInterval: 0 })
    const failure = new Error('boom')
    const first = deferred<string>()
    predictor.submit(() => first.promise)
    predictor.submit(async () => 'next')
    first.reject(failure)
    await vi.runAllTimersAsync()
    expect(onError).toHaveBeenCalledExactlyOnceWith(failure)
    expect(onResult).toHaveBeenCalledExactlyOnceWith('next')
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
    predictor.submit(pending)
    predictor.cancel()
    expect(signal?.aborted).toBe(true)
    inFlight.resolve('late')
    await vi.runAllTimersAsync()
    expect(pending).not.toHaveBeenCalled()
    expect(onResult).not.toHaveBeenCalled()
    expect(predictor.busy).toBe(false)
  })

  it('cancel also stops a pending request waiting for its interval', async () => {
    const { predictor } = setup({ minInterval: 80 })
    const task = vi.fn<PredictTask<string>>(async () => 'x')
    predictor.submit(task)
    await vi.advanceTimersByTimeAsync(1)
    predictor.submit(task)
    predictor.cancel()
    await vi.runAllTimersAsync()
    expect(task).toHaveBeenCalledTimes(1)
  })
})

describe('isAbortError', () => {
  it('recognises abort errors only', () => {
    expect(isAbortError(abortError())).toBe(true)
    expect(isAbortError(new Error('x'))).toBe(false)
    expect(isAbortError(null)).toBe(false)
  })
})
