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

/**
 * Page-wide keys: Ctrl/Cmd+Z undoes the last stroke, Ctrl/Cmd+Shift+Z or Ctrl/Cmd+Y redoes
 * it, Escape clears.
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
      } else if (event.key === 'Escape') {
        clear()
      }
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [undo, redo, clear])
}
