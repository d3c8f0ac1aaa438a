import { useCallback, useState } from 'react'
import type { ModelList } from '../api/client'
import type { PredictNow } from './usePredictNow'

export interface ModelChoice {
  /** The chosen model; null means the service's default. */
  selected: string | null
  select: (name: string) => void
  /** "Compare all models" is on. */
  compare: boolean
  setCompare: (on: boolean) => void
  /**
   * The models to compare, one name a line; '' while comparing is off (so that the list
   * arriving changes nothing). A string, so that an equal list is an equal dependency.
   */
  compareKey: string
}

/** Which model answers, and whether every model is asked side by side. */
export function useModelChoice(modelList: ModelList | null, predictNow: PredictNow): ModelChoice {
  const [selected, setSelected] = useState<string | null>(null)
  const [compare, setCompareState] = useState(false)

  const select = useCallback(
    (name: string) => {
      predictNow.request()
      setSelected(name)
    },
    [predictNow],
  )
  const setCompare = useCallback(
    (on: boolean) => {
      predictNow.request()
      setCompareState(on)
    },
    [predictNow],
  )

  const compareKey = compare && modelList ? modelList.models.map((m) => m.name).join('\n') : ''
  return { selected, select, compare, setCompare, compareKey }
}
