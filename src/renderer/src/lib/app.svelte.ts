// Application state shared by the components: engine status and progress, the screen shown and the
// photos it is about (its scope: all, favourites, an album...), the filter, the order, and whichever
// list the grid shows (the paged library, or the hits of the current search).
import type { Filter, PhotoSort, PhotoSummary, Progress, Query, SearchHit, Status } from '../../../shared/api'
import type { SignalProgress } from '../../../shared/events'
import { backbone } from './backbone.svelte'
import { call } from './client'
import { CollectionsState } from './collections.svelte'
import { dismissAll, report } from './errors.svelte'
import { emptyDraft, toFilter, type FilterDraft } from './filter'
import { followJobs } from './jobs'
import { LabelsState } from './labels.svelte'
import { Library } from './library.svelte'
import { ModelsState } from './models.svelte'
import { Search } from './search.svelte'
import { people } from './people.svelte'
import { sortHits, type ResultSort } from './sort'

const LIVE_REFRESH_MS = 3000
/** the screens whose photos a search narrows (the others have no grid for its results) */
const PHOTO_SCREENS = new Set(['photos', 'favourites'])
const BUSY_PHASES: ReadonlyArray<Progress['phase']> = ['scanning', 'indexing', 'calibrating']
const SORT_KEY = 'mrl-sort'

/** What the current screen shows: every photo, or a part of them (a filter the user does not edit). */
export interface Scope {
  filter: Filter
  /** "Favourites", "Album “Trip”": what a search on this screen searches in (empty: the whole library) */
  title: string
}

const ALL: Scope = { filter: {}, title: '' }

function savedSort(): PhotoSort {
  const v = localStorage.getItem(SORT_KEY)
  return v === 'date-asc' || v === 'name' || v === 'folder' ? v : 'date-desc'
}

class AppState {
  status = $state<Status | null>(null)
  progress = $state<Progress | null>(null)
  /** what the per-photo signals (faces, text, places, copies) are doing after indexing */
  signals = $state<SignalProgress | null>(null)
  /** the screen shown (screens.ts) */
  screen = $state('photos')
  scope = $state<Scope>(ALL)
  filterDraft = $state<FilterDraft>(emptyDraft())
  filter = $derived(mergeFilters(toFilter(this.filterDraft), this.scope.filter))
  /** the library's order; search results are ranked by relevance unless resultSort says otherwise */
  sort = $state<PhotoSort>(savedSort())
  resultSort = $state<ResultSort>('relevance')
  library = new Library()
  search = new Search(() => this.filter)
  labels = new LabelsState()
  models = new ModelsState()
  collections = new CollectionsState()
  /** index into the shown list of the photo open in the viewer */
  viewerIndex = $state<number | null>(null)
  /** index of the photo the keyboard is on in the grid */
  cursor = $state(0)
  #lastLive = 0

  mode = $derived<'browse' | 'search'>(this.search.query ? 'search' : 'browse')
  indexing = $derived(this.progress !== null && BUSY_PHASES.includes(this.progress.phase))
  hits = $derived(sortHits(this.search.response?.hits ?? [], this.resultSort))

  /** length of the list the grid shows */
  count = $derived(this.mode === 'search' ? this.hits.length : (this.library.total ?? 0))

  itemAt(index: number): PhotoSummary | SearchHit | undefined {
    return this.mode === 'search' ? this.hits[index] : this.library.at(index)
  }

  ensure(start: number, end: number): void {
    if (this.mode === 'browse') this.library.ensure(start, end)
  }

  /**
   * Subscribe to the jobs' events (the one subscription of the renderer), then load the state of
   * each store; returns the unsubscribe.
   */
  init(): () => void {
    const stop = followJobs({
      indexing: (p) => this.onIndexing(p),
      reembedding: (s) => this.models.onJob(s),
      adaptor: (t) => this.labels.onJob(t),
      finetune: (f) => backbone.onJob(f),
      signals: (s) => {
        this.signals = s
        people.onSignals(s)
      }
    })
    void this.refreshStatus()
    // after a training run or a rollback, photos carry new labels and search answers from new vectors
    this.labels.onSpaceChanged = () => {
      this.library.reset(this.filter, this.sort, true)
      this.search.rerunSoon()
    }
    void this.labels.init()
    // once another model (or its adaptor) answers, the photos' labels, the dial and the results change
    this.models.onSwitched = () => {
      void this.refreshStatus()
      void this.labels.refreshAdaptors()
      this.library.reset(this.filter, this.sort, true)
      this.search.rerunSoon()
    }
    void this.models.init()
    // a favourite or an album changed: a list scoped to them changes with it
    this.collections.onChanged = () => {
      if (this.filter && (this.filter.favourite || this.filter.album)) {
        this.library.reset(this.filter, this.sort, true)
        this.search.rerunSoon()
      }
    }
    void this.collections.refresh()
    return stop
  }

  /** An 'indexing' job event. */
  onIndexing(p: Progress): void {
    const wasDone = this.progress?.phase === 'done'
    this.progress = p
    if (p.phase === 'done' && !wasDone) void this.refreshStatus()
    // photos appear while a long run indexes them, a few times a minute rather than per batch
    else if (p.phase === 'indexing' && Date.now() - this.#lastLive > LIVE_REFRESH_MS) {
      this.#lastLive = Date.now()
      void this.refreshStatus()
    }
  }

  async refreshStatus(): Promise<void> {
    try {
      this.applyStatus(await call('status', {}))
    } catch (err) {
      report(err)
    }
  }

  applyStatus(next: Status): void {
    const before = this.status?.photos
    this.status = next
    // events may be newer than the status snapshot; keep the event unless we have none
    if (!this.progress || !BUSY_PHASES.includes(next.progress.phase) || this.progress.phase === 'done') {
      this.progress = next.progress
    }
    // photos arrived or left: the list refreshes without going blank meanwhile
    if (before !== next.photos) {
      this.library.reset(this.filter, this.sort, before !== undefined)
      void this.collections.refresh()
    }
  }

  async addFolder(path: string): Promise<boolean> {
    try {
      this.applyStatus(await call('addFolder', { path }))
      return true
    } catch (err) {
      report(err)
      return false
    }
  }

  async removeFolder(path: string): Promise<void> {
    try {
      this.applyStatus(await call('removeFolder', { path }))
    } catch (err) {
      report(err)
    }
  }

  async reindex(): Promise<void> {
    try {
      this.applyStatus(await call('reindex', {}))
    } catch (err) {
      report(err)
    }
  }

  /** Another screen: its own photos, from the top, with no search, viewer or old errors over it. */
  navigate(screen: string, scope: Scope = ALL): void {
    this.screen = screen
    this.scope = scope
    this.viewerIndex = null
    this.cursor = 0
    this.search.clear()
    this.labels.clearSelection()
    dismissAll()
    this.library.reset(this.filter, this.sort)
  }

  /** The filter applies to both modes: refetch the library and re-run the search. */
  filterChanged(): void {
    this.library.reset(this.filter, this.sort)
    this.search.rerunSoon()
  }

  clearFilters(): void {
    Object.assign(this.filterDraft, emptyDraft())
  }

  setSort(sort: PhotoSort | 'relevance'): void {
    if (this.mode === 'search') {
      this.resultSort = sort
      return
    }
    if (sort === 'relevance') return
    this.sort = sort
    try {
      localStorage.setItem(SORT_KEY, sort)
    } catch {
      /* not persisting is fine */
    }
    this.library.reset(this.filter, sort)
  }

  private startSearch(query: Query, title: string, preview: string | null = null): void {
    // results show where photos are shown: from People, Places or Duplicates, on Photos
    if (!PHOTO_SCREENS.has(this.screen) && !this.scope.filter.album) this.navigate('photos')
    this.viewerIndex = null
    this.cursor = 0
    this.resultSort = 'relevance'
    void this.search.start(query, this.scope.title ? `${title} in ${this.scope.title}` : title, preview)
  }

  searchText(text: string): void {
    const t = text.trim()
    if (!t) return this.browse()
    this.startSearch({ kind: 'text', text: t }, `“${t}”`)
  }

  searchImage(data: string, name: string, preview: string | null): void {
    this.startSearch({ kind: 'image', data }, `Photos like ${name}`, preview)
  }

  /** Photos like this one, in the whole library: the filters that found it would hide its look-alikes. */
  findSimilar(photo: Pick<PhotoSummary, 'id' | 'name'>): void {
    this.clearFilters()
    this.screen = 'photos'
    this.scope = ALL
    this.library.reset(this.filter, this.sort)
    this.startSearch({ kind: 'photo', id: photo.id }, `Photos like ${photo.name}`)
  }

  browse(): void {
    this.viewerIndex = null
    this.search.clear()
  }

  open(index: number): void {
    this.cursor = index
    this.viewerIndex = index
  }

  close(): void {
    if (this.viewerIndex !== null) this.cursor = this.viewerIndex
    this.viewerIndex = null
  }

  step(delta: number): void {
    if (this.viewerIndex === null) return
    const next = this.viewerIndex + delta
    if (next >= 0 && next < this.count) this.viewerIndex = next
  }
}

function mergeFilters(a: Filter | undefined, b: Filter): Filter | undefined {
  const f = { ...b, ...(a ?? {}) }
  return Object.keys(f).length ? f : undefined
}

export const app = new AppState()
