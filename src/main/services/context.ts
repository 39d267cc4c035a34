// What every service works over: the one search space, the jobs, the stores beside it. Built once by
// the composition root (src/main/app/engine.ts).
import type { ImageEncoder } from '../ports/encoder'
import type { ModelRegistry } from '../adapters/models/registry'
import type { SpaceSlot } from '../space/slot'
import type { JobBoard } from '../jobs/job'
import type { Indexer } from '../jobs/indexing'
import type { ModelSwitch } from '../jobs/reembedding'
import type { Adaptation } from '../jobs/adaptorTraining'
import type { Backbone } from '../jobs/fineTuning'
import type { Signals } from '../jobs/signals'
import type { UserLabels } from './userLabels'
import type { QueryTerms } from './terms/queryTerms'
import type { Collections } from './collections'

export interface EngineContext {
  readonly dataDir: string
  readonly slot: SpaceSlot
  readonly board: JobBoard
  readonly registry: ModelRegistry
  readonly userLabels: UserLabels
  readonly indexer: Indexer
  readonly switcher: ModelSwitch
  readonly adaptation: Adaptation
  readonly fineTuning: Backbone
  readonly signals: Signals
  /** what a query's words and a filter's fields can name besides the look of a photo */
  readonly terms: QueryTerms
  /** the user's favourites and albums */
  readonly collections: Collections
  /** the embedding worker of the model in use (a new one after a crash or a model switch) */
  embedder(): ImageEncoder
  thumbPath(id: number): string
  tmpPath(name: string): string
}
