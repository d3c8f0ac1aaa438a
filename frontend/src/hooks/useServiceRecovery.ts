import { useEffect, useRef } from 'react'
import { ApiError } from '../api/client'
import type { HealthStatus } from './useHealth'

export interface ServiceRecoveryOptions {
  /** What the health check says. */
  status: HealthStatus
  /** The service answers and has its model. */
  ready: boolean
  /** Asks `/health` again at once. */
  recheck: () => void
  /** Why the latest prediction failed, if it did. */
  predictionError: unknown
  /** Predicts the current input again. */
  resend: () => void
}

/**
 * Keeps the page in step with the service: a prediction that could not reach the service makes
 * the health check look again, and when the service comes back up (or gets its model) the input
 * is predicted again.
 */
export function useServiceRecovery({ status, ready, recheck, predictionError, resend }: ServiceRecoveryOptions): void {
  // A failed request might mean the backend went away: let the health check decide.
  const unreachableError = predictionError instanceof ApiError && predictionError.kind === 'unreachable'
  useEffect(() => {
    if (unreachableError) recheck()
  }, [unreachableError, recheck])

  const readiness = status === 'checking' ? 'checking' : ready ? 'ready' : 'down'
  const previousReadiness = useRef(readiness)
  useEffect(() => {
    const recovered = previousReadiness.current === 'down' && readiness === 'ready'
    previousReadiness.current = readiness
    if (recovered) resend()
  }, [readiness, resend])
}
