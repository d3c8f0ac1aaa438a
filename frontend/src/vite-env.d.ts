/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Backend origin for production builds; empty/unset means same origin (proxied). */
  readonly VITE_API_BASE_URL?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
