// Search mode: the current query, its last response (or why it failed), and the dial. Only the
// newest request may update the screen, so a slow exact search can't overwrite the answer to a
// later, faster one. A failed search says so in its results, never as "Searching…" for good.
import type { Filter, FunnelConfig, Query, SearchResponse } from '../../../shared/api'
import { call } from './client'

const DIAL_KEY = 'mrl-dial'
const CUSTOM_KEY = 'mrl-dial-custom'
const DIAL_DEBOUNCE_MS = 150

function savedDial(): number {
  const v = Number(localStorage.getItem(DIAL_KEY) ?? NaN)
  return Number.isFinite(v) && v >= 0 && v <= 1 ? v : 0.5
}

function savedCustom(): FunnelConfig | null {
  try {
    const v = JSON.parse(localStorage.getItem(CUSTOM_KEY) ?? 'null') as FunnelConfig | null
    return v && [v.ds, v.k, v.dr].every((x) => Number.isInteger(x) && x > 0) ? v : null
  } catch {
    return null
  }
}

export class Search {
  query = $state<Query | null>(null)
  /** what the user asked for, in words: "Photos like IMG_0042.jpg", "“vehicle”" */
  title = $state('')
  response = $state<SearchResponse | null>(null)
  /** why the current query has no answer (the model cannot see a word, the engine failed) */
  error = $state<string | null>(null)
  /** a small preview of an image query (an object URL), shown beside its title */
  preview = $state<string | null>(null)
  /** the dial position the current response was computed at */
  responseDial = $state<number | null>(null)
  busy = $state(false)
  /** a re-run is waiting out the debounce (the dial or a filter moved): what is shown is of the setting before */
  pending = $state(false)
  dial = $state(savedDial())
  /** a custom (Ds, K, Dr) that overrides the dial until the dial moves again */
  custom = $state<FunnelConfig | null>(savedCustom())
  /** the custom config the current response was computed with */
  responseCustom = $state<FunnelConfig | null>(null)
  #seq = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #filter: () => Filter | undefined

  constructor(filter: () => Filter | undefined) {
    this.#filter = filter
  }

  start(query: Query, title: string, preview: string | null = null): Promise<void> {
    this.setPreview(preview)
    this.query = query
    this.title = title
    this.response = null
    this.error = null
    return this.run()
  }

  private setPreview(url: string | null): void {
    if (this.preview && this.preview !== url) URL.revokeObjectURL(this.preview)
    this.preview = url
  }

  clear(): void {
    this.#seq++
    clearTimeout(this.#timer)
    this.pending = false
    this.query = null
    this.title = ''
    this.response = null
    this.error = null
    this.busy = false
    this.setPreview(null)
  }

  setDial(value: number): void {
    this.dial = value
    if (this.custom) this.setCustom(null)
    try {
      localStorage.setItem(DIAL_KEY, String(value))
    } catch {
      /* not persisting is fine */
    }
    this.rerunSoon()
  }

  setCustom(config: FunnelConfig | null): void {
    this.custom = config
    try {
      localStorage.setItem(CUSTOM_KEY, JSON.stringify(config))
    } catch {
      /* not persisting is fine */
    }
    this.rerunSoon()
  }

  /** Dragging the dial or typing a filter fires many changes; search once they settle. */
  rerunSoon(): void {
    clearTimeout(this.#timer)
    if (!this.query) return
    this.pending = true
    this.#timer = setTimeout(() => void this.run(), DIAL_DEBOUNCE_MS)
  }

  async run(): Promise<void> {
    const query = this.query
    if (!query) return
    clearTimeout(this.#timer)
    this.pending = false
    const seq = ++this.#seq
    const dial = this.dial
    const custom = this.custom
    this.busy = true
    try {
      const res = await call('search', custom ? { query, filter: this.#filter(), config: custom, relevance: 'calibrated' } : { query, filter: this.#filter(), dial, relevance: 'calibrated' })
      if (seq === this.#seq) {
        this.response = res
        this.error = null
        this.responseDial = dial
        this.responseCustom = custom
      }
    } catch (err) {
      if (seq === this.#seq) {
        this.response = null
        this.error = err instanceof Error ? err.message : String(err)
      }
    } finally {
      if (seq === this.#seq) this.busy = false
    }
  }
}
