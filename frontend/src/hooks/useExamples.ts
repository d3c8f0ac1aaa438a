import { useEffect, useState } from 'react'
import type { Example, ExampleStore } from '../lib/examples'
import { isAbortError } from '../lib/predictor'

export type ExamplesState =
  | { status: 'loading'; examples: null }
  | { status: 'ok'; examples: Example[] }
  | { status: 'error'; examples: null }

/** Reads the example gallery's manifest once. */
export function useExamples(store: ExampleStore): ExamplesState {
  const [state, setState] = useState<ExamplesState>({ status: 'loading', examples: null })
  useEffect(() => {
    const controller = new AbortController()
    store.list(controller.signal).then(
      (examples) => {
        if (!controller.signal.aborted) setState({ status: 'ok', examples })
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbortError(error)) return
        setState({ status: 'error', examples: null })
      },
    )
    return () => controller.abort()
  }, [store])
  return state
}
