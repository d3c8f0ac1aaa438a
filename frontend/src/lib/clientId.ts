/**
 * A random id of this browser, kept in localStorage and sent as `X-Digits-Client` with feedback:
 * the server stores only a salted hash of it (to keep one person's drawings together when it
 * splits data for training) and counts its rate limit by it. No account, nothing personal.
 */
export const CLIENT_ID_KEY = 'digits.clientId'

function randomId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

let fallback: string | null = null

/** This browser's id: made once, then read from localStorage (in memory only where storage is blocked). */
export function clientId(storage: Pick<Storage, 'getItem' | 'setItem'> | null = safeStorage()): string {
  try {
    const existing = storage?.getItem(CLIENT_ID_KEY)
    if (existing && /^[\x21-\x7e]{8,128}$/.test(existing)) return existing
    const made = randomId()
    storage?.setItem(CLIENT_ID_KEY, made)
    return made
  } catch {
    fallback ??= randomId()
    return fallback
  }
}

/** `window.localStorage`, or null where reading it throws (privacy modes, sandboxed frames). */
export function safeStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null
  } catch {
    return null
  }
}
