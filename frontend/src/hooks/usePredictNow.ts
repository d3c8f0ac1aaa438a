import { useState } from 'react'

/**
 * Whether the next prediction goes out at once instead of debounced: finishing, undoing or
 * redoing a stroke, a new image, another model or the service coming back ask for an answer
 * right away; moving the pen is debounced.
 */
export interface PredictNow {
  /** The next prediction is urgent. */
  request(): void
  /** Reads the flag and lowers it. */
  take(): boolean
}

export function createPredictNow(): PredictNow {
  let now = false
  return {
    request() {
      now = true
    },
    take() {
      const urgent = now
      now = false
      return urgent
    },
  }
}

/** One PredictNow flag for the lifetime of the component. */
export function usePredictNow(): PredictNow {
  const [flag] = useState(createPredictNow)
  return flag
}
