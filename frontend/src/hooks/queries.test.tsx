import { QueryClientProvider } from '@tanstack/react-query'
import { renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type DigitsApi, type ModelList } from '../api/client'
import { createTestQueryClient } from '../test/render'
import { useHealth } from './useHealth'
import { useModels } from './useModels'

const list: ModelList = { default: 'cnn', models: [] }

function wrapper({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={createTestQueryClient()}>{children}</QueryClientProvider>
}

function fakeApi(overrides: Partial<DigitsApi> = {}): DigitsApi {
  return {
    predict: vi.fn(),
    predictFile: vi.fn(),
    models: vi.fn(async () => list),
    health: vi.fn(async () => ({ status: 'ok' as const, model_loaded: true, model_version: 'v1', models: ['cnn'] })),
    ...overrides,
  }
}

describe('useModels', () => {
  it('waits for the service, then asks again each time it becomes ready', async () => {
    const api = fakeApi()
    const { result, rerender } = renderHook(({ ready }) => useModels(api, ready), { wrapper, initialProps: { ready: false } })
    expect(result.current).toEqual({ status: 'waiting', list: null })
    expect(api.models).not.toHaveBeenCalled()
    rerender({ ready: true })
    await waitFor(() => expect(result.current).toEqual({ status: 'ok', list }))
    rerender({ ready: false })
    // The list already read stays shown while the service is away.
    expect(result.current.status).toBe('ok')
    rerender({ ready: true })
    await waitFor(() => expect(api.models).toHaveBeenCalledTimes(2))
  })

  it('says when the list is not available', async () => {
    const api = fakeApi({ models: vi.fn(async () => Promise.reject(new ApiError('http', 'Not Found', 404))) })
    const { result } = renderHook(() => useModels(api, true), { wrapper })
    expect(result.current.status).toBe('loading')
    await waitFor(() => expect(result.current.status).toBe('error'))
  })
})

describe('useHealth', () => {
  it('polls while the service is unreachable and stops once it is ready', async () => {
    let up = false
    const api = fakeApi({
      health: vi.fn(async () => {
        if (!up) throw new ApiError('unreachable', 'Failed to fetch')
        return { status: 'ok' as const, model_loaded: true, model_version: 'v1', models: ['cnn'] }
      }),
    })
    const { result } = renderHook(() => useHealth(api, 20), { wrapper })
    expect(result.current.status).toBe('checking')
    await waitFor(() => expect(result.current.status).toBe('unreachable'))
    await waitFor(() => expect(vi.mocked(api.health).mock.calls.length).toBeGreaterThanOrEqual(2))
    up = true
    await waitFor(() => expect(result.current.status).toBe('ok'))
    const calls = vi.mocked(api.health).mock.calls.length
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(api.health).toHaveBeenCalledTimes(calls)
    expect(result.current.health?.model_version).toBe('v1')

    // A recheck asks at once; a failure reads as unreachable even with an older answer cached.
    up = false
    result.current.recheck()
    await waitFor(() => expect(result.current).toMatchObject({ status: 'unreachable', health: null }))
  })
})
