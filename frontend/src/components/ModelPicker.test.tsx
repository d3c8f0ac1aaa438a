import { fireEvent, render, screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import type { ModelInfo, ModelList } from '../api/client'
import { ModelPicker, type ModelPickerProps } from './ModelPicker'

const info = (name: string, engine: string, extra: Partial<ModelInfo> = {}): ModelInfo => ({
  name,
  description: `${name} description`,
  engine,
  version: 'v1',
  default: false,
  file: name,
  size_bytes: 2_000_000,
  parameters: null,
  test_accuracy: 0.99,
  card: {},
  ...extra,
})

const list: ModelList = {
  default: 'cnn',
  models: [info('mlp', 'numpy', { test_accuracy: null }), info('cnn', 'litert', { default: true })],
}

function setup(props: Partial<ModelPickerProps> = {}) {
  const onSelect = vi.fn()
  const onCompareChange = vi.fn()
  render(
    <ModelPicker
      models={{ status: 'ok', list }}
      selected={null}
      onSelect={onSelect}
      compare={false}
      onCompareChange={onCompareChange}
      {...props}
    />,
  )
  return { onSelect, onCompareChange }
}

describe('ModelPicker', () => {
  it("lists the service's models in its order and starts on the default", () => {
    setup()
    const select = screen.getByRole('combobox', { name: 'Model' })
    expect(select).toHaveValue('cnn')
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'mlp — NumPy · 2.0 MB',
      'cnn (default) — LiteRT · 99.00% · 2.0 MB',
    ])
    expect(select).toHaveAccessibleDescription('cnn description')
  })

  it('reports the choice and shows the chosen model', () => {
    const { onSelect } = setup({ selected: 'mlp' })
    const select = screen.getByRole('combobox', { name: 'Model' })
    expect(select).toHaveValue('mlp')
    expect(screen.getByTestId('model-details')).toHaveTextContent('mlp description · no test accuracy on record')
    fireEvent.change(select, { target: { value: 'cnn' } })
    expect(onSelect).toHaveBeenCalledWith('cnn')
  })

  it('switches the comparison on and off', () => {
    const { onCompareChange } = setup()
    const toggle = screen.getByRole('switch', { name: 'Compare all models' })
    expect(toggle).not.toBeChecked()
    fireEvent.click(toggle)
    expect(onCompareChange).toHaveBeenCalledWith(true)
  })

  it('is disabled while the list loads', () => {
    setup({ models: { status: 'loading', list: null } })
    expect(screen.getByRole('combobox', { name: 'Model' })).toBeDisabled()
    expect(screen.getByRole('option')).toHaveTextContent('Loading models…')
    expect(screen.getByRole('switch')).toBeDisabled()
  })

  it('cannot compare a single model', () => {
    setup({ models: { status: 'ok', list: { default: 'cnn', models: [info('cnn', 'litert')] } } })
    expect(screen.getByRole('switch')).toBeDisabled()
  })
})
