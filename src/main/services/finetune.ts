// Fine-tuning the whole model in PyTorch on the user's labels, where the machine has it.
import type { Input, Output } from '../../shared/api'
import type { EngineContext } from './context'

export class FineTuneService {
  constructor(private readonly ctx: EngineContext) {}

  async backbone({ recheck = false }: Input<'backbone'>): Promise<Output<'backbone'>> {
    return { requirements: await this.ctx.fineTuning.available(recheck), run: this.ctx.fineTuning.status() }
  }

  async trainBackbone({ epochs }: Input<'trainBackbone'>): Promise<Output<'trainBackbone'>> {
    return this.ctx.fineTuning.start(epochs)
  }

  async cancelBackbone(): Promise<Output<'cancelBackbone'>> {
    return this.ctx.fineTuning.stop()
  }
}
