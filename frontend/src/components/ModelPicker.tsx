import { useId } from 'react'
import type { ModelsState } from '../hooks/useModels'
import { modelDetails, modelOptionLabel } from '../lib/models'

export interface ModelPickerProps {
  models: ModelsState
  /** The chosen model; null means the service's default. */
  selected: string | null
  onSelect: (name: string) => void
  /** Whether "Compare all models" is on. */
  compare: boolean
  onCompareChange: (on: boolean) => void
}

/** Which model answers (from `GET /models`), and the switch for the side-by-side comparison. */
export function ModelPicker({ models, selected, onSelect, compare, onCompareChange }: ModelPickerProps) {
  const selectId = useId()
  const detailsId = useId()
  const list = models.list
  const current = list ? (list.models.find((m) => m.name === (selected ?? list.default)) ?? null) : null

  return (
    <div className="model-picker" data-testid="model-picker">
      <div className="model-row">
        <label htmlFor={selectId} className="model-label">
          Model
        </label>
        <select
          id={selectId}
          data-testid="model-select"
          value={list ? (current?.name ?? list.default) : ''}
          disabled={!list || list.models.length === 0}
          aria-describedby={detailsId}
          onChange={(event) => onSelect(event.target.value)}
        >
          {list ? (
            list.models.map((model) => (
              <option key={model.name} value={model.name}>
                {modelOptionLabel(model)}
              </option>
            ))
          ) : (
            <option value="">{models.status === 'loading' ? 'Loading models…' : 'Service default'}</option>
          )}
        </select>
      </div>
      <p id={detailsId} className="muted small model-details" data-testid="model-details">
        {current
          ? modelDetails(current)
          : models.status === 'error'
            ? 'The list of models is not available; the service uses its default model.'
            : models.status === 'waiting'
              ? 'The models are listed once the service is ready.'
              : 'Loading the list of models…'}
      </p>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          data-testid="compare-toggle"
          checked={compare}
          disabled={!list || list.models.length < 2}
          onChange={(event) => onCompareChange(event.target.checked)}
        />
        <span>Compare all models</span>
      </label>
    </div>
  )
}
