import type { HealthState } from '../hooks/useHealth'

/** The footer's line about the service: online with its model, without a model, connecting, offline. */
export function ServiceStatus({ status, health }: HealthState) {
  let text: string
  if (status === 'ok') text = health?.model_loaded === false ? 'Service online · no model loaded' : `Service online · model ${health?.model_version ?? 'unknown'}`
  else if (status === 'checking') text = 'Connecting to the service…'
  else text = 'Service offline'
  return <span data-testid="service-status">{text}</span>
}
