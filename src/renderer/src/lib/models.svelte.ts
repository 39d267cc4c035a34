// The image encoders: the list (bundled and imported), importing one (file upload or a path on this
// machine, with a model card or the form's settings), and following a switch while the library is
// embedded again (search keeps answering from the current model meanwhile); the switch's status comes
// as 'reembedding' job events (jobs.ts).
import type { Input, ModelInfo, Models, ModelSwitchStatus } from '../../../shared/api'
import { call } from './client'
import { report, reported } from './errors.svelte'
import { Freshness } from './jobs'

const RUNNING: ReadonlyArray<ModelSwitchStatus['phase']> = ['embedding', 'finishing', 'adapting']

/** A picked file as base64, for the JSON body (models are a few MB; larger ones go by path). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
    reader.onerror = () => reject(new Error(`cannot read ${file.name}`))
    reader.readAsDataURL(file)
  })
}

export class ModelsState {
  info = $state<Models | null>(null)
  /** the model the last import added, with its check on library photos */
  imported = $state<ModelInfo | null>(null)
  importing = $state(false)
  switching = $derived(this.info !== null && RUNNING.includes(this.info.switch.phase))
  active = $derived(this.info?.models.find((m) => m.active) ?? null)
  #fresh = new Freshness()
  /** the switch's latest event, which wins over an answer that raced it */
  #switch: ModelSwitchStatus | null = null
  /** the model in use and the switch's phase at the last check (undefined: not checked yet) */
  #active: string | undefined
  #phase: ModelSwitchStatus['phase'] | undefined
  #checks: Promise<void> = Promise.resolve()
  /** called when search moved to another model (or its adaptor) */
  onSwitched: () => void = () => {}

  async refresh(): Promise<void> {
    await reported(async () => {
      const { value, raced } = await this.#fresh.call(() => call('models', {}))
      this.apply(value, raced)
    })
  }

  /** An answer's list; its switch status only when no event of the switch came in while the call was out. */
  private apply(next: Models, raced: boolean): void {
    this.info = raced && this.#switch ? { ...next, switch: this.#switch } : next
  }

  async importModel(input: Input<'importModel'>): Promise<boolean> {
    this.importing = true
    try {
      const { value: res, raced } = await this.#fresh.call(() => call('importModel', input))
      this.imported = res.model
      this.apply(res.models, raced)
      return true
    } catch (err) {
      report(err)
      return false
    } finally {
      this.importing = false
    }
  }

  async use(id: string): Promise<void> {
    await reported(async () => {
      const { value, raced } = await this.#fresh.call(() => call('useModel', { id }))
      this.apply(value, raced)
    })
  }

  async cancel(): Promise<void> {
    await reported(async () => {
      const { value, raced } = await this.#fresh.call(() => call('cancelModelSwitch', {}))
      this.apply(value, raced)
    })
  }

  /** A 'reembedding' job event: its progress shows at once; each change of phase is checked against the list. */
  onJob(next: ModelSwitchStatus): void {
    const phase = this.info?.switch.phase
    this.#fresh.saw()
    this.#switch = next
    if (this.info) this.info = { ...this.info, switch: next }
    if (next.phase !== phase) void this.check()
  }

  /**
   * Reads the list again; once another model (or its adaptor) is in use, search follows. Checks run
   * one after another, each against the state the previous one saw.
   */
  private check(): Promise<void> {
    this.#checks = this.#checks.then(async () => {
      await this.refresh()
      const now = this.info
      if (!now) return
      if (this.#active !== undefined && (now.active !== this.#active || (this.#phase === 'adapting' && now.switch.phase !== 'adapting'))) this.onSwitched()
      this.#active = now.active
      this.#phase = now.switch.phase
    })
    return this.#checks
  }

  async init(): Promise<void> {
    await this.check()
  }
}
