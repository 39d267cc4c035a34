// The People screen's state: the people found in the photos' faces, the one opened (its faces), the
// people picked to merge; edits go to the engine and the answer is the new list. Refreshed when the
// signals job (which finds faces and clusters them) reports a change.
import type { Output, PersonSummary } from '../../../shared/api'
import type { SignalProgress } from '../../../shared/events'
import { call } from './client'
import { report } from './errors.svelte'

/** the faces signal's name (jobs/signals/faces.ts) */
const FACES = 'faces'

type People = Output<'people'>
type Faces = Output<'personFaces'>

export class PeopleState {
  open = $state(false)
  list = $state<People | null>(null)
  /** the person whose faces are shown */
  person = $state<Faces | null>(null)
  /** people picked to merge, in the order picked (the first keeps its id) */
  picked = $state<number[]>([])
  /** why the list could not be read (the screen says so, with a retry, instead of loading for good) */
  error = $state<string | null>(null)
  #lastSignal: string | null = null

  private async run<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p
    } catch (err) {
      report(err)
      return null
    }
  }

  async refresh(): Promise<void> {
    let list: People | null = null
    try {
      list = await call('people', {})
      this.error = null
    } catch (err) {
      this.error = (err as Error).message ?? String(err)
    }
    if (list) this.list = list
    const id = this.person?.person.id
    if (id !== undefined) await this.show(id)
  }

  show = async (id: number): Promise<void> => {
    const still = this.list?.people.some((p) => p.id === id) ?? true
    this.person = still ? await this.run(call('personFaces', { id, limit: 500 })) : null
  }

  /** Opens (on everyone) or closes the screen. */
  toggle(open = !this.open): void {
    this.open = open
    if (!open) return
    this.person = null
    void this.refresh()
  }

  pick(id: number): void {
    this.picked = this.picked.includes(id) ? this.picked.filter((x) => x !== id) : [...this.picked, id]
  }

  private async apply(p: Promise<People>): Promise<void> {
    const list = await this.run(p)
    if (!list) return
    this.list = list
    const id = this.person?.person.id
    if (id !== undefined) await this.show(id)
  }

  name = (id: number, name: string) => this.apply(call('namePerson', { id, name }))

  async merge(): Promise<void> {
    const [into, ...from] = this.picked
    if (into === undefined || !from.length) return
    this.picked = []
    await this.apply(call('mergePeople', { into, from }))
  }

  removeFace = (person: number, key: string) => this.apply(call('removeFaces', { person, keys: [key] }))

  /**
   * A signals job event. The faces are clustered into people before the job goes on to its next
   * signal, so the list is read again as soon as the faces signal is over, not when every signal is.
   */
  onSignals(s: SignalProgress): void {
    const current = s.phase === 'computing' ? s.signal : null
    if (this.#lastSignal === FACES && current !== FACES && this.open) void this.refresh()
    this.#lastSignal = current
  }

  /** How a person is shown when unnamed. */
  label = (p: PersonSummary): string => p.name || 'Unnamed'
}

export const people = new PeopleState()
