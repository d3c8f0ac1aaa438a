import { useCallback, useEffect, useRef, useState } from 'react'
import type { DigitsApi, Health } from '../api/client'
import { isAbortError } from '../lib/predictor'

export type HealthStatus = 'checking' | 'ok' | 'unreachable'

export interface HealthState {
  status: HealthStatus
  health: Health | null
}

/**
 * Polls `GET /health`: once at start, then every `retryMs` while the service is unreachable
 * or has no model loaded, so the UI recovers by itself when the backend comes up.
 */
export function useHealth(api: DigitsApi, retryMs = 5000): HealthState & { recheck: () => void } {
  const [state, setState] = useState<HealthState>({ status: 'checking', health: null })
  const [attempt, setAttempt] = useState(0)
  const controller = useRef<AbortController | null>(null)

  useEffect(() => {
    const current = new AbortController()
    controller.current?.abort()
    controller.current = current
    api.health(current.signal).then(
      (health) => {
        if (!current.signal.aborted) setState({ status: 'ok', health })
      },
      (error: unknown) => {
        if (current.signal.aborted || isAbortError(error)) return
        setState({ status: 'unreachable', health: null })
      },
    )
    return () => current.abort()
  }, [api, attempt])

  const ready = state.status === 'ok' && state.health?.model_loaded !== false
  useEffect(() => {
    if (state.status === 'checking' || ready) return
    const timer = setTimeout(() => setAttempt((n) => n + 1), retryMs)
    return () => clearTimeout(timer)
  }, [state.status, ready, retryMs, attempt])

  const recheck = useCallback(() => setAttempt((n) => n + 1), [])

  return { ...state, recheck }
}
