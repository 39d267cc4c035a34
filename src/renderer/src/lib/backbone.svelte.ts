// Fine-tuning the whole model in PyTorch: whether this machine can (and if not, what is missing),
// and the run as it goes ('finetune' job events, jobs.ts). When it is done the fine-tuned model is
// imported and the library is re-embedded for it; the models panel follows that switch by its own
// 'reembedding' events.
import type { BackboneRequirements, FineTune } from '../../../shared/api'
import { call } from './client'
import { reported } from './errors.svelte'
import { Freshness } from './jobs'

const RUNNING: ReadonlyArray<FineTune['phase']> = ['preparing', 'training', 'exporting', 'importing']

export class BackboneState {
  requirements = $state<BackboneRequirements | null>(null)
  /** looking for Python and PyTorch (it imports PyTorch: seconds), since when */
  checkingSince = $state<number | null>(null)
  /** why the look could not be done (the panel offers to look again) */
  checkError = $state<string | null>(null)
  run = $state<FineTune | null>(null)
  running = $derived(this.run !== null && RUNNING.includes(this.run.phase))
  #fresh = new Freshness()

  /** recheck: look for Python and PyTorch again (after installing them) */
  async init(recheck = false): Promise<void> {
    if (this.checkingSince !== null) return
    this.checkingSince = Date.now()
    this.checkError = null
    try {
      const { value, raced } = await this.#fresh.call(() => call('backbone', { recheck }))
      this.requirements = value.requirements
      if (!raced) this.run = value.run
    } catch (err) {
      this.checkError = err instanceof Error ? err.message : String(err)
    } finally {
      this.checkingSince = null
    }
  }

  async start(): Promise<void> {
    await reported(() => this.answer(() => call('trainBackbone', {})))
  }

  async cancel(): Promise<void> {
    await reported(() => this.answer(() => call('cancelBackbone', {})))
  }

  /** A 'finetune' job event: the run as it goes. */
  onJob(run: FineTune): void {
    this.#fresh.saw()
    this.run = run
  }

  /** The run's status from an API answer, unless an event came in meanwhile (it is as new). */
  private async answer(fn: () => Promise<FineTune>): Promise<void> {
    const { value, raced } = await this.#fresh.call(fn)
    if (!raced) this.run = value
  }
}

export const backbone = new BackboneState()
