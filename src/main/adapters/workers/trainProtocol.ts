// Messages between the engine and the training worker. Embeddings travel as transferred buffers.
import type { SavedAdaptor } from '../../../training/adaptor'
import type { SavedHead } from '../fs/adaptorVersions'
import type { EpochReport } from '../../../training/progress'

export interface SupervisedJob {
  type: 'supervised'
  nesting: number[]
  d: number
  x: Float32Array
  labels: Int32Array
  classes: string[]
  unlabelled: Float32Array
}

export interface UnsupervisedJob {
  type: 'unsupervised'
  nesting: number[]
  d: number
  x: Float32Array
  /** optimiser steps per epoch (default: trainUnsupervised's) */
  steps?: number
}

export interface AdaptJob {
  type: 'adapt'
  adaptor: SavedAdaptor
  x: Float32Array
}

export type TrainRequest = { id: number; cancel: SharedArrayBuffer } & (SupervisedJob | UnsupervisedJob | AdaptJob)

export interface TrainOutcome {
  adaptor: SavedAdaptor
  heads: SavedHead[]
  classes: string[]
  perPrefix: number[]
  metric: EpochReport['metric']
  epochs: number
  /** calibrated on the held-out split: the cascade confidence at which suggestions are right often enough */
  threshold: number | null
}

export type TrainReply =
  | { type: 'epoch'; id: number; report: EpochReport }
  | { type: 'trained'; id: number; outcome: TrainOutcome }
  | { type: 'adapted'; id: number; y: Float32Array }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; message: string }
