// Matryoshka adaptors over the stored embeddings: train one (on the user's labels, or unsupervised
// for a model trained without nested prefixes), follow it, choose a version or go back to none.
import type { Input, Output } from '../../shared/api'
import type { JobEvent, JobKind } from '../../shared/events'
import { VectorTable } from '../../core/vectors'
import { isMatryoshka } from '../adapters/models/registry'
import { SearchSpace, fineCopy, type ActiveAdaptor } from '../space/searchSpace'
import type { EngineContext } from './context'

/** Prefixes for an adaptor on a model trained without them: powers of two from 8, and the full width. */
export function prefixLadder(d: number): number[] {
  const out: number[] = []
  for (let m = 8; m < d; m *= 2) out.push(m)
  return [...out, d]
}

export class AdaptorsService {
  constructor(private readonly ctx: EngineContext) {}

  async train({ kind }: Input<'train'>): Promise<Output<'train'>> {
    return this.ctx.adaptation.start(kind)
  }

  async training(): Promise<Output<'training'>> {
    return this.ctx.adaptation.status()
  }

  async cancelTraining(): Promise<Output<'cancelTraining'>> {
    return this.ctx.adaptation.stop()
  }

  async adaptors(): Promise<Output<'adaptors'>> {
    return this.ctx.adaptation.list()
  }

  async useAdaptor({ version }: Input<'useAdaptor'>): Promise<Output<'useAdaptor'>> {
    this.ctx.board.admit('adaptor') // choosing a version re-embeds the space as training's last step does
    await this.ctx.adaptation.activate(version)
    return this.ctx.adaptation.list()
  }

  /** The prefixes an adaptor is trained for: the model's, or a ladder for a model trained without them. */
  adaptorNesting(): number[] {
    const { card } = this.ctx.slot.current.model
    return isMatryoshka(card) ? card.nesting : prefixLadder(card.embedding_dim)
  }

  /**
   * Search with an adaptor's vectors (or the raw embeddings): re-embedded from the stored embeddings
   * (no image decoding), which stay untouched, so any version can be rolled back to. Rows indexed
   * meanwhile are carried over; shortlists and the dial follow the new space.
   */
  async useSearchSpace(active: ActiveAdaptor | null, adaptRows: (x: Float32Array) => Promise<Float32Array>): Promise<void> {
    const next = await this.ctx.slot.rebuild(async () => {
      const old = this.ctx.slot.current
      const { ids, vectors } = await old.store.embeddings()
      const table = VectorTable.from(old.store.dims, ids, await adaptRows(vectors), fineCopy(old.dataDir, old.store.dims))
      return new SearchSpace(old.dataDir, old.model, old.store, table, old.meta, active)
    })
    if (!next.dialMeasured) await next.calibrateDial()
  }

  /** Trains the unsupervised adaptor for the model in use, as a step of `by` (the model switch). */
  async adaptUnsupervised(onProgress: (message: string) => void, by: JobKind): Promise<void> {
    const { registry, adaptation, slot } = this.ctx
    const id = slot.current.modelId
    const clear = () => {
      const st = registry.state()
      if (st.adaptFor === id) registry.setState({ ...st, adaptFor: null })
    }
    if (slot.current.vectors.size < 100) {
      clear()
      onProgress(`${slot.current.model.card.name} in use; with fewer than 100 photos no adaptor is trained, so the dial searches the full embedding`)
      return
    }
    const follow = (e: JobEvent) => {
      if (e.kind === 'adaptor') onProgress(e.detail.phase === 'training' ? `unsupervised adaptor: epoch ${e.detail.epoch}/${e.detail.epochs}` : e.detail.message)
    }
    this.ctx.board.on('job', follow)
    try {
      adaptation.start('unsupervised', by)
      await adaptation.idle()
    } finally {
      this.ctx.board.off('job', follow)
    }
    const t = adaptation.status()
    if (t.phase === 'done') clear()
    else if (t.phase === 'failed') {
      clear() // a run that cannot succeed is not retried at every start
      throw new Error(`the unsupervised adaptor failed: ${t.message}`)
    }
  }
}
