import { useQuery } from '@tanstack/react-query'
import type { Example, ExampleStore } from '../lib/examples'

export type ExamplesState =
  | { status: 'loading'; examples: null }
  | { status: 'ok'; examples: Example[] }
  | { status: 'error'; examples: null }

export const examplesQueryKey = ['examples'] as const

/** Reads the example gallery's manifest once. */
export function useExamples(store: ExampleStore): ExamplesState {
  const query = useQuery({
    queryKey: examplesQueryKey,
    queryFn: ({ signal }) => store.list(signal),
    staleTime: Infinity,
    retry: false,
  })
  if (query.status === 'success') return { status: 'ok', examples: query.data }
  if (query.status === 'error') return { status: 'error', examples: null }
  return { status: 'loading', examples: null }
}
