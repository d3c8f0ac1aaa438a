import type { DigitsApi } from '../api/client'
import { useHealth, type HealthState } from './useHealth'
import { useModels, type ModelsState } from './useModels'

export interface ServiceState extends HealthState {
  /** The service answers and has its model loaded. */
  ready: boolean
  /** The service answers but has no model loaded. */
  modelMissing: boolean
  /** `GET /models`, asked once the service is ready. */
  models: ModelsState
  /** Asks `/health` again at once. */
  recheck: () => void
}

/** The service as the page sees it: its health (polled with backoff while it is down) and its models. */
export function useService(api: DigitsApi, healthRetryMs: number, healthMaxRetryMs?: number): ServiceState {
  const health = useHealth(api, healthRetryMs, healthMaxRetryMs)
  const modelMissing = health.status === 'ok' && health.health?.model_loaded === false
  const ready = health.status === 'ok' && !modelMissing
  const models = useModels(api, ready)
  return { ...health, ready, modelMissing, models }
}
