// Fine-tuning the whole model in PyTorch: whether this machine can (and if not, what is missing),
// and the run as it goes. When it is done the fine-tuned model is imported and the library is
// re-embedded for it; the models panel follows that switch.
import type { BackboneRequirements, FineTune } from '../../../shared/api'
import { call } from './client'
import { report, reported } from './errors.svelte'

const POLL_MS = 1000
const RUNNING: ReadonlyArray<FineTune['phase']> = ['preparing', 'training', 'exporting', 'importing']

export class BackboneState {
  requirements = $state<BackboneRequirements | null>(null)
  run = $state<FineTune | null>(null)
  running = $derived(this.run !== null && RUNNING.includes(this.run.phase))
  #poll: ReturnType<typeof setInterval> | undefined

  /** recheck: look for Python and PyTorch again (after installing them) */
  async init(recheck = false): Promise<void> {
    await reported(async () => {
      const res = await call('backbone', { recheck })
      this.requirements = res.requirements
      this.run = res.run
      if (this.running) this.follow()
    })
  }

  async start(): Promise<void> {
    await reported(async () => {
      this.run = await call('trainBackbone', {})
      this.follow()
    })
  }

  async cancel(): Promise<void> {
    await reported(async () => {
      this.run = await call('cancelBackbone', {})
    })
  }

  /** Polls the run until it ends (minutes on a CPU). */
  follow(): void {
    clearInterval(this.#poll)
    this.#poll = setInterval(async () => {
      try {
        this.run = (await call('backbone', {})).run
      } catch (err) {
        report(err)
      }
      if (!this.running) clearInterval(this.#poll)
    }, POLL_MS)
  }
}

export const backbone = new BackboneState()
