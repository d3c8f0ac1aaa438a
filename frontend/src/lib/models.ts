import type { ModelInfo } from '../api/client'
import { formatAccuracy, formatBytes } from './format'

/**
 * The engines `GET /models` names (its `engine` field: "keras", "litert", "numpy" or "tta",
 * the test-time-augmented ensemble).
 */
const ENGINES: Record<string, string> = { keras: 'Keras', litert: 'LiteRT', numpy: 'NumPy', tta: 'TTA' }

/** `litert` → "LiteRT"; unknown engines are shown as the service names them. */
export function engineLabel(engine: string): string {
  return ENGINES[engine] ?? engine
}

/** The text of a model's option in the picker. */
export function modelOptionLabel(model: ModelInfo): string {
  const accuracy = formatAccuracy(model.test_accuracy)
  const parts = [engineLabel(model.engine), accuracy, formatBytes(model.size_bytes)].filter((p): p is string => p !== null)
  return `${model.name}${model.default ? ' (default)' : ''} — ${parts.join(' · ')}`
}

/** 431_080 → "431k parameters", 1_234_567 → "1.2M parameters". */
export function formatParameters(count: number): string {
  if (count >= 1_000_000) return `${(count / 1_000_000).toFixed(1)}M parameters`
  if (count >= 1000) return `${Math.round(count / 1000)}k parameters`
  return `${count} parameters`
}

/** The line under the picker: what the model is (the option itself names engine, accuracy, size). */
export function modelDetails(model: ModelInfo): string {
  const parts = [model.description]
  if (typeof model.parameters === 'number') parts.push(formatParameters(model.parameters))
  if (model.test_accuracy === null || model.test_accuracy === undefined) parts.push('no test accuracy on record')
  return parts.join(' · ')
}
