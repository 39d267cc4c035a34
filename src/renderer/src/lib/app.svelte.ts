// Application state shared by the components: engine status and progress, the filter, and
// whichever list the grid shows (the paged library, or the hits of the current search).
import type { PhotoSummary, Progress, Query, SearchHit, Status } from '../../../shared/api'
import { backbone } from './backbone.svelte'
import { call } from './client'
import { report } from './errors.svelte'
import { emptyDraft, toFilter, type FilterDraft } from './filter'
import { followJobs } from './jobs'
import { LabelsState } from './labels.svelte'
import { Library } from './library.svelte'
import { ModelsState } from './models.svelte'
import { Search } from './search.svelte'
import { people } from './people.svelte'

const LIVE_REFRESH_MS = 3000
const BUSY_PHASES: ReadonlyArray<Progress['phase']> = ['scanning', 'indexing', 'calibrating']

class AppState {
  status = $state<Status | null>(null)
  progress = $state<Progress | null>(null)
  filterDraft = $state<FilterDraft>(emptyDraft())
  filter = $derived(toFilter(this.filterDraft))
  library = new Library()
  search = new Search(() => this.filter)
  labels = new LabelsState()
  models = new ModelsState()
  /** index into the shown list of the photo open in the viewer */
  viewerIndex = $state<number | null>(null)
  #lastLive = 0

  mode = $derived<'browse' | 'search'>(this.search.query ? 'search' : 'browse')
  indexing = $derived(this.progress !== null && BUSY_PHASES.includes(this.progress.phase))

  /** length of the list the grid shows */
  count = $derived(this.mode === 'search' ? (this.search.response?.hits.length ?? 0) : (this.library.total ?? 0))

  itemAt(index: number): PhotoSummary | SearchHit | undefined {
    return this.mode === 'search' ? this.search.response?.hits[index] : this.library.at(index)
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
      signals: (s) => people.onSignals(s)
    })
    void this.refreshStatus()
    // after a training run or a rollback, photos carry new labels and search answers from new vectors
    this.labels.onSpaceChanged = () => {
      this.library.reset(this.filter)
      this.search.rerunSoon()
    }
    void this.labels.init()
    // once another model (or its adaptor) answers, the photos' labels, the dial and the results change
    this.models.onSwitched = () => {
      void this.refreshStatus()
      void this.labels.refreshAdaptors()
      this.library.reset(this.filter)
      this.search.rerunSoon()
    }
    void this.models.init()
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
    if (before !== next.photos) this.library.reset(this.filter)
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

  /** The filter applies to both modes: refetch the library and re-run the search. */
  filterChanged(): void {
    this.library.reset(this.filter)
    this.search.rerunSoon()
  }

  searchText(text: string): void {
    const t = text.trim()
    if (!t) return this.browse()
    people.open = false
    this.viewerIndex = null
    void this.search.start({ kind: 'text', text: t }, `“${t}”`)
  }

  searchImage(data: string, name: string): void {
    this.viewerIndex = null
    void this.search.start({ kind: 'image', data }, `Photos like ${name}`)
  }

  findSimilar(photo: Pick<PhotoSummary, 'id' | 'name'>): void {
    this.viewerIndex = null
    const query: Query = { kind: 'photo', id: photo.id }
    void this.search.start(query, `Photos like ${photo.name}`)
  }

  browse(): void {
    this.viewerIndex = null
    this.search.clear()
  }

  open(index: number): void {
    this.viewerIndex = index
  }

  step(delta: number): void {
    if (this.viewerIndex === null) return
    const next = this.viewerIndex + delta
    if (next >= 0 && next < this.count) this.viewerIndex = next
  }
}

export const app = new AppState()
