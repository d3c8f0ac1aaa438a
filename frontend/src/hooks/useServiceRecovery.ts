import { useEffect } from 'react'
import { ApiError } from '../api/client'

export interface ServiceRecoveryOptions {
  /** Asks `/health` again at once. */
  recheck: () => void
  /** Why the latest prediction failed, if it did. */
  predictionError: unknown
}

/**
 * A prediction that could not reach the service makes the health check look again at once: if
 * the service is down, the page stops sending predictions (`useLivePrediction`'s `enabled`)
 * until `/health` answers again, and then predicts the current input at once.
 */
export function useServiceRecovery({ recheck, predictionError }: ServiceRecoveryOptions): void {
  const unreachableError = predictionError instanceof ApiError && predictionError.kind === 'unreachable'
  useEffect(() => {
    if (unreachableError) recheck()
  }, [unreachableError, recheck])
}
