// Browse mode: the library in the order asked for (newest first by default), paged lazily. Only
// pages whose rows come into view are fetched, and fetched pages are cached, so scrolling 100,000
// photos never loads them all; the timeline's headings and counts come in one small call.
// A refresh while photos arrive (indexing) keeps showing what it has until the new pages answer,
// so tiles never go blank.
import { SvelteMap } from 'svelte/reactivity'
import type { Filter, PhotoSort, PhotoSummary, TimelineGroup } from '../../../shared/api'
import { call } from './client'
import { report } from './errors.svelte'

export const PAGE_SIZE = 200

export class Library {
  /** photos matching the current filter; null until the first answer */
  total = $state<number | null>(null)
  /** the headings of the order (days, folders) and their counts; null until they answer */
  groups = $state<TimelineGroup[] | null>(null)
  #pages = new SvelteMap<number, PhotoSummary[]>()
  #loading = new Set<number>()
  #filter: Filter | undefined
  /** state, not a plain field: the grid's headings follow the order (none by name) */
  #sort = $state<PhotoSort>('date-desc')
  /** the rows last in view, fetched again first on a refresh */
  #inView: [number, number] = [0, PAGE_SIZE]
  // bumped on every reset, so answers to requests made before it are ignored
  #generation = 0

  get sort(): PhotoSort {
    return this.#sort
  }

  /**
   * Forget everything and fetch what is in view. soft: the same list gained or changed photos
   * (indexing): keep showing it until the new headings and the pages in view have all answered,
   * then show those at once, so no tile goes blank or grey meanwhile.
   */
  reset(filter: Filter | undefined, sort: PhotoSort = this.#sort, soft = false): void {
    const sameList = soft && this.total !== null && sort === this.#sort && JSON.stringify(filter) === JSON.stringify(this.#filter)
    this.#filter = filter
    this.#sort = sort
    const generation = ++this.#generation
    this.#loading.clear()
    if (sameList) return void this.#swap(generation)
    this.#pages.clear()
    this.total = null
    this.groups = null
    void this.#loadGroups()
    this.ensure(...this.#inView)
  }

  async #swap(generation: number): Promise<void> {
    const [start, end] = this.#inView
    const pages = Array.from({ length: Math.floor((end - 1) / PAGE_SIZE) - Math.floor(start / PAGE_SIZE) + 1 }, (_, i) => Math.floor(start / PAGE_SIZE) + i)
    try {
      const [timeline, ...answers] = await Promise.all([
        call('timeline', { filter: this.#filter, sort: this.#sort }),
        ...pages.map((page) => call('listPhotos', { offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter: this.#filter, sort: this.#sort }))
      ])
      if (generation !== this.#generation) return
      this.#pages.clear()
      pages.forEach((page, i) => this.#pages.set(page, answers[i].photos))
      this.groups = timeline.groups
      this.total = timeline.total
      this.ensure(...this.#inView) // scrolled meanwhile: what is in view now
    } catch (err) {
      if (generation === this.#generation) report(err)
    }
  }

  at(index: number): PhotoSummary | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]
  }

  /** Make sure the photos in [start, end) are loaded or on their way. */
  ensure(start: number, end: number): void {
    this.#inView = [Math.max(0, start), Math.max(end, start + 1)]
    const first = Math.floor(Math.max(0, start) / PAGE_SIZE)
    const last = Math.floor((Math.max(end, start + 1) - 1) / PAGE_SIZE)
    for (let page = first; page <= last; page++) void this.#load(page)
  }

  async #loadGroups(): Promise<void> {
    const generation = this.#generation
    try {
      const res = await call('timeline', { filter: this.#filter, sort: this.#sort })
      if (generation !== this.#generation) return
      this.groups = res.groups
      this.total = res.total
    } catch (err) {
      if (generation === this.#generation) report(err)
    }
  }

  async #load(page: number): Promise<void> {
    if (this.#pages.has(page) || this.#loading.has(page)) return
    if (this.total !== null && page * PAGE_SIZE >= this.total && page > 0) return
    const generation = this.#generation
    this.#loading.add(page)
    try {
      const res = await call('listPhotos', { offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter: this.#filter, sort: this.#sort })
      if (generation !== this.#generation) return
      this.total ??= res.total
      this.#pages.set(page, res.photos)
    } catch (err) {
      if (generation === this.#generation) report(err)
    } finally {
      if (generation === this.#generation) this.#loading.delete(page)
    }
  }
}
