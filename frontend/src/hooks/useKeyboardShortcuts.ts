import { useEffect } from 'react'

export interface ShortcutHandlers {
  undo: () => void
  redo: () => void
  clear: () => void
}

/** Keys typed into a text field belong to the field. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true
  return target instanceof HTMLInputElement && !['range', 'checkbox', 'radio', 'button', 'file'].includes(target.type)
}

/** A form control (a field, a list, a slider, a switch) has focus: Escape is its own (e.g. closing a list). */
function isFormControl(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement
  )
}

/** Whether the platform's shortcut modifier is ⌘ (Apple) rather than Ctrl. */
export function isApplePlatform(nav: Pick<Navigator, 'platform' | 'userAgent'> | undefined = globalThis.navigator): boolean {
  if (!nav) return false
  const data = (nav as Navigator & { userAgentData?: { platform?: string } }).userAgentData
  const platform = data?.platform || nav.platform || nav.userAgent
  return /mac|iphone|ipad|ipod/i.test(platform)
}

/** The name of the shortcut modifier key on this platform: "⌘" on Apple systems, else "Ctrl". */
export function modifierKeyLabel(nav?: Pick<Navigator, 'platform' | 'userAgent'>): string {
  return isApplePlatform(nav) ? '⌘' : 'Ctrl'
}

/**
 * Page-wide keys: Ctrl/Cmd+Z undoes the last stroke, Ctrl/Cmd+Shift+Z or Ctrl/Cmd+Y redoes
 * it, Escape clears (the clear can be undone) unless a form control has focus.
 */
export function useKeyboardShortcuts({ undo, redo, clear }: ShortcutHandlers): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isEditable(event.target)) return
      const key = event.key.toLowerCase()
      const mod = (event.ctrlKey || event.metaKey) && !event.altKey
      if (mod && key === 'z' && !event.shiftKey) {
        event.preventDefault()
        undo()
      } else if (mod && ((key === 'z' && event.shiftKey) || (key === 'y' && !event.shiftKey))) {
        event.preventDefault()
        redo()
      } else if (event.key === 'Escape' && !isFormControl(event.target)) {
        clear()
      }
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [undo, redo, clear])
}
