// Which job may not start while another runs: the one table every start is checked against
// (JobBoard.admit). A job started by another as one of its steps (the model switch's adaptor, the
// fine-tune's model switch) is exempt from the rule against its parent.
import type { JobKind } from '../../shared/events'

/** EXCLUSIONS[starting][running]: the reason `starting` is refused while `running` runs. */
export const EXCLUSIONS: { readonly [S in JobKind]: { readonly [R in JobKind]?: string } } = {
  indexing: {},
  reembedding: {
    reembedding: 'a model switch is already running; wait for it or cancel it first',
    adaptor: 'a training run is going; cancel it first',
    finetune: 'the whole model is being fine-tuned; search switches to its result when it ends, or cancel it first'
  },
  adaptor: {
    adaptor: 'a training run is already going; cancel it first',
    reembedding: 'the library is being embedded again for another model; train once the switch is done',
    finetune: 'the whole model is being fine-tuned; train an adaptor once it is done'
  },
  finetune: {
    finetune: 'a fine-tuning run is already going; cancel it first',
    adaptor: 'an adaptor is training; wait for it or cancel it first',
    reembedding: 'the library is being embedded again for another model; fine-tune once the switch is done'
  },
  signals: {}
}

/** Why `starting` may not start while `running` are running (null: it may). `by` is the job starting it. */
export function refusal(starting: JobKind, running: Iterable<JobKind>, by?: JobKind): string | null {
  for (const r of running) {
    if (r === by) continue
    const why = EXCLUSIONS[starting][r]
    if (why) return why
  }
  return null
}
