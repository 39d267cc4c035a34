// The image encoders: the list (bundled and imported), importing one (file upload or a path on this
// machine, with a model card or the form's settings), and following a switch while the library is
// embedded again (search keeps answering from the current model meanwhile).
import type { Input, ModelInfo, Models, ModelSwitchStatus } from '../../../shared/api'
import { call } from './client'
import { report, reported } from './errors.svelte'

const POLL_MS = 500
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
  #poll: ReturnType<typeof setTimeout> | undefined
  /** called when search moved to another model (or its adaptor) */
  onSwitched: () => void = () => {}

  async refresh(): Promise<void> {
    await reported(async () => {
      this.info = await call('models', {})
    })
  }

  async importModel(input: Input<'importModel'>): Promise<boolean> {
    this.importing = true
    try {
      const res = await call('importModel', input)
      this.imported = res.model
      this.info = res.models
      this.follow()
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
      this.info = await call('useModel', { id })
      this.follow()
    })
  }

  async cancel(): Promise<void> {
    await reported(async () => {
      this.info = await call('cancelModelSwitch', {})
    })
  }

  /**
   * Polls while a switch runs (each poll after the last answer, so a busy engine is not flooded);
   * once the new model (or its adaptor) is in use, search follows.
   */
  follow(): void {
    clearTimeout(this.#poll)
    let model = this.info?.active
    let phase = this.info?.switch.phase
    const tick = async (): Promise<void> => {
      await this.refresh()
      const now = this.info
      if (now && (now.active !== model || (phase === 'adapting' && now.switch.phase !== 'adapting'))) this.onSwitched()
      model = now?.active
      phase = now?.switch.phase
      if (this.switching) this.#poll = setTimeout(tick, POLL_MS)
    }
    this.#poll = setTimeout(tick, POLL_MS)
  }

  async init(): Promise<void> {
    await this.refresh()
    if (this.switching) this.follow()
  }
}
