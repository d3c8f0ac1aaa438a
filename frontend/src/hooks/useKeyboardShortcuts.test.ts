import { describe, expect, it } from 'vitest'
import { modifierKeyLabel } from './useKeyboardShortcuts'

describe('modifierKeyLabel', () => {
  it('names ⌘ on Apple systems and Ctrl elsewhere', () => {
    expect(modifierKeyLabel({ platform: 'MacIntel', userAgent: '' })).toBe('⌘')
    expect(modifierKeyLabel({ platform: '', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' })).toBe('⌘')
    expect(modifierKeyLabel({ platform: 'Win32', userAgent: 'Mozilla/5.0 (Windows NT 10.0)' })).toBe('Ctrl')
    expect(modifierKeyLabel({ platform: 'Linux x86_64', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' })).toBe('Ctrl')
  })
})
