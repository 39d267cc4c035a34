// What a training run reports after each epoch, and how it is told to stop.
export interface EpochReport {
  epoch: number
  epochs: number
  loss: number
  /** the held-out metric per prefix of the nesting list: head accuracy (supervised) or top-10 neighbour overlap (unsupervised) */
  perPrefix: number[]
  metric: 'accuracy' | 'neighbours@10'
  best: boolean
}

export interface TrainControl {
  onEpoch?: (r: EpochReport) => void
  /** polled between batches: true ends the run, keeping nothing */
  cancelled?: () => boolean
}

export class Cancelled extends Error {
  constructor() {
    super('training cancelled')
  }
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)
