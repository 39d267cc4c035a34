// Browse mode: the library is paged lazily. Only pages whose rows come into view are fetched,
// and fetched pages are cached, so scrolling 50,000 photos never loads them all.
import { SvelteMap } from 'svelte/reactivity'
import type { Filter, PhotoSummary } from '../../../shared/api'
import { call } from './client'
import { report } from './errors.svelte'

export const PAGE_SIZE = 200

export class Library {
  /** photos matching the current filter; null until the first page answers */
  total = $state<number | null>(null)
  #pages = new SvelteMap<number, PhotoSummary[]>()
  #loading = new Set<number>()
  #filter: Filter | undefined
  // bumped on every reset, so answers to requests made before it are ignored
  #generation = 0

  constructor(filter?: Filter) {
    this.#filter = filter
  }

  /** Forget everything (filter changed, photos were added): refetch what is in view. */
  reset(filter: Filter | undefined): void {
    this.#filter = filter
    this.#generation++
    this.#loading.clear()
    this.#pages.clear()
    this.total = null
    void this.#load(0)
  }

  at(index: number): PhotoSummary | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]
  }

  /** Make sure the photos in [start, end) are loaded or on their way. */
  ensure(start: number, end: number): void {
    if (end <= start) return
    const first = Math.floor(Math.max(0, start) / PAGE_SIZE)
    const last = Math.floor((end - 1) / PAGE_SIZE)
    for (let page = first; page <= last; page++) void this.#load(page)
  }

  async #load(page: number): Promise<void> {
    if (this.#pages.has(page) || this.#loading.has(page)) return
    if (this.total !== null && page * PAGE_SIZE >= this.total) return
    const generation = this.#generation
    this.#loading.add(page)
    try {
      const res = await call('listPhotos', { offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter: this.#filter })
      if (generation !== this.#generation) return
      this.total = res.total
      this.#pages.set(page, res.photos)
    } catch (err) {
      if (generation === this.#generation) report(err)
    } finally {
      if (generation === this.#generation) this.#loading.delete(page)
    }
  }
}
