import { afterEach, describe, expect, it } from 'vitest'
import { CLIENT_ID_KEY, clientId, safeStorage } from './clientId'

describe('clientId', () => {
  afterEach(() => window.localStorage.clear())

  it('makes a random id once and keeps it in localStorage', () => {
    const first = clientId()
    expect(first).toMatch(/^[\x21-\x7e]{8,128}$/)
    expect(window.localStorage.getItem(CLIENT_ID_KEY)).toBe(first)
    expect(clientId()).toBe(first)
    window.localStorage.clear()
    expect(clientId()).not.toBe(first)
  })

  it('replaces a stored value that is not an id', () => {
    window.localStorage.setItem(CLIENT_ID_KEY, 'bad id with spaces')
    expect(clientId()).not.toBe('bad id with spaces')
  })

  it('works without storage, and where storage throws', () => {
    expect(clientId(null)).toMatch(/^[\x21-\x7e]{8,128}$/)
    const throwing = {
      getItem: () => {
        throw new Error('blocked')
      },
      setItem: () => undefined,
    }
    const id = clientId(throwing)
    expect(clientId(throwing)).toBe(id)
    expect(safeStorage()).toBe(window.localStorage)
  })
})
