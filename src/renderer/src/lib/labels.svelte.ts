// The user's labels, the photos selected in the grid (to label them), and the training runs and
// adaptor versions built from those labels. A run's status comes as 'adaptor' job events (jobs.ts).
import type { Adaptors, Labels, Output, Training, TrainingKind } from '../../../shared/api'
import { call } from './client'
import { report, reported } from './errors.svelte'
import { Freshness } from './jobs'

const RUNNING: ReadonlyArray<Training['phase']> = ['preparing', 'training', 'applying']
const isRunning = (t: Training | null): boolean => t !== null && RUNNING.includes(t.phase)

export class LabelsState {
  list = $state<Labels | null>(null)
  /** selected photo ids, in the order they were picked */
  selected = $state<number[]>([])
  /** list index of the last photo clicked, the anchor of a shift-click range */
  anchor = $state<number | null>(null)
  training = $state<Training | null>(null)
  adaptors = $state<Adaptors | null>(null)
  suggestions = $state<Output<'suggestions'> | null>(null)
  running = $derived(isRunning(this.training))
  #fresh = new Freshness()
  /** called when a run finishes: search results now come from another space */
  onSpaceChanged: () => void = () => {}

  isSelected(id: number): boolean {
    return this.selected.includes(id)
  }

  /** ctrl/cmd-click toggles one photo; shift-click selects the range from the last click. */
  click(index: number, id: number, range: boolean, idAt: (i: number) => number | undefined): void {
    if (range && this.anchor !== null) {
      const [a, b] = this.anchor < index ? [this.anchor, index] : [index, this.anchor]
      const ids = new Set(this.selected)
      for (let i = a; i <= b; i++) {
        const x = idAt(i)
        if (x !== undefined) ids.add(x)
      }
      this.selected = [...ids]
    } else this.selected = this.isSelected(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id]
    this.anchor = index
  }

  clearSelection(): void {
    this.selected = []
    this.anchor = null
  }

  private async apply(p: Promise<Labels>): Promise<boolean> {
    try {
      this.list = await p
      return true
    } catch (err) {
      report(err)
      return false
    }
  }

  refresh = () => this.apply(call('labels', {}))
  create = (name: string) => this.apply(call('createLabel', { name }))
  rename = (from: string, to: string) => this.apply(call('renameLabel', { from, to }))
  remove = (name: string) => this.apply(call('deleteLabel', { name }))

  /** Label (or unlabel, with null) the selected photos; the grid shows it on its next fetch. */
  async assign(label: string | null): Promise<boolean> {
    if (!this.selected.length) return false
    const ok = await this.apply(call('assignLabel', { ids: this.selected, label }))
    if (ok) this.clearSelection()
    return ok
  }

  async suggest(): Promise<void> {
    await reported(async () => {
      this.suggestions = await call('suggestions', { limit: 20 })
    })
  }

  /** Accepting a suggestion labels the photo; rejecting only drops it from the list. */
  async decide(id: number, label: string, accept: boolean): Promise<void> {
    if (accept && !(await this.apply(call('assignLabel', { ids: [id], label })))) return
    if (this.suggestions) this.suggestions = { ...this.suggestions, suggestions: this.suggestions.suggestions.filter((s) => s.id !== id) }
    if (accept) this.onSpaceChanged()
  }

  async refreshAdaptors(): Promise<void> {
    await reported(async () => {
      this.adaptors = await call('adaptors', {})
    })
  }

  async train(kind: TrainingKind): Promise<void> {
    await reported(() => this.answer(() => call('train', { kind })))
  }

  async cancel(): Promise<void> {
    await reported(() => this.answer(() => call('cancelTraining', {})))
  }

  async useAdaptor(version: number | null): Promise<void> {
    await reported(async () => {
      this.adaptors = await call('adaptors', {}).then(() => call('useAdaptor', { version }))
      this.onSpaceChanged()
    })
  }

  /** An 'adaptor' job event: the run as it goes. */
  onJob(t: Training): void {
    this.#fresh.saw()
    this.setTraining(t)
  }

  /** The run's status from an API answer, unless an event came in meanwhile (it is as new). */
  private async answer(fn: () => Promise<Training>): Promise<void> {
    const { value, raced } = await this.#fresh.call(fn)
    if (!raced) this.setTraining(value)
  }

  /** Once a run is done, photos carry new labels and search answers from the new adaptor. */
  private setTraining(t: Training): void {
    const was = isRunning(this.training)
    this.training = t
    if (was && !isRunning(t) && t.phase === 'done') {
      void this.refreshAdaptors().then(() => this.onSpaceChanged())
    }
  }

  async init(): Promise<void> {
    await Promise.all([this.refresh(), this.refreshAdaptors()])
    await reported(() => this.answer(() => call('training', {})))
  }
}
