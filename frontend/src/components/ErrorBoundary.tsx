import { Component, type ErrorInfo, type ReactNode } from 'react'

export interface ErrorBoundaryProps {
  children: ReactNode
  /** Called with what was thrown (React logs it to the console as well). */
  onError?: (error: unknown, info: ErrorInfo) => void
  /** What the fallback's button does; reloads the page by default. */
  onReload?: () => void
}

interface ErrorBoundaryState {
  error: unknown
  failed: boolean
}

/** The page shown instead of the app when rendering it threw. */
export function ErrorFallback({ onReload }: { onReload: () => void }) {
  return (
    <div className="app">
      <section className="card error-fallback" role="alert" data-testid="error-fallback">
        <h1>Something went wrong</h1>
        <p>
          The page ran into an error it cannot recover from. Reload it to start again; your drawing
          is not kept. If it happens again, the browser console says what failed.
        </p>
        <button type="button" className="primary" onClick={onReload}>
          Reload the page
        </button>
      </section>
    </div>
  )
}

/**
 * Catches what the app throws while rendering and shows a friendly page with a reload button
 * instead of a blank one. (Errors of requests are shown by the app itself; they do not get here.)
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  state: ErrorBoundaryState = { error: null, failed: false }

  static getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    return { error, failed: true }
  }

  componentDidCatch(error: unknown, info: ErrorInfo): void {
    this.props.onError?.(error, info)
  }

  render() {
    if (!this.state.failed) return this.props.children
    return <ErrorFallback onReload={this.props.onReload ?? (() => window.location.reload())} />
  }
}
