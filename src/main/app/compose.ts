// The composition root: the jobs and the services wired over one search space (nothing runs yet).
// The only place that knows every part; Engine (engine.ts) opens the data folder and holds the result.
import type { PhotoMeta } from '../ports/photos'
import type { Model } from '../adapters/models/modelCard'
import type { ModelRegistry } from '../adapters/models/registry'
import { EmbedClient } from '../adapters/workers/embedClient'
import type { SearchSpace } from '../space/searchSpace'
import { SpaceSlot } from '../space/slot'
import { JobBoard } from '../jobs/job'
import { Indexer, indexingSpec } from '../jobs/indexing'
import { ModelSwitch, reembeddingSpec } from '../jobs/reembedding'
import { Adaptation, adaptorSpec } from '../jobs/adaptorTraining'
import { Backbone, fineTuneBase, finetuneSpec } from '../jobs/fineTuning'
import { Signals, signalsSpec, type SignalDefinition } from '../jobs/signals'
import { coloursSignal } from '../jobs/signals/colours'
import { PlaceIndex, placesSignal } from '../jobs/signals/places'
import { duplicatesSignal } from '../jobs/signals/duplicates'
import { facesSignal } from '../jobs/signals/faces'
import { textSignal } from '../jobs/signals/text'
import type { EngineContext } from '../services/context'
import type { UserLabels } from '../services/userLabels'
import type { Collections } from '../services/collections'
import { CollectionsService } from '../services/albums'
import { LibraryService } from '../services/library'
import { SearchService } from '../services/search'
import { LabelsService } from '../services/labels'
import { AdaptorsService } from '../services/adaptors'
import { ModelsService } from '../services/models'
import { FineTuneService } from '../services/finetune'
import { PlacesService } from '../services/places'
import { DuplicatesService } from '../services/duplicates'
import { PeopleService } from '../services/people'
import { PhotoTextService } from '../services/photoText'
import type { Services } from './handlers'
import { dataLayout } from '../adapters/fs/dataLayout'
import { realRoots } from '../adapters/fs/openInside'
import { QueryTerms } from '../services/terms/queryTerms'
import { labelSource } from '../services/terms/labels'
import { dateSource } from '../services/terms/dates'
import { colourSource } from '../services/terms/colours'
import { placeFilter, placeSource } from '../services/terms/places'
import { personFilter, personSource } from '../services/terms/people'
import { textFilter, textSource } from '../services/terms/text'

type Writable<T> = { -readonly [K in keyof T]: T[K] }

export interface Composed {
  ctx: EngineContext
  services: Services
  /** closes the embedding worker (a model switch starts the next model's) */
  closeEmbedder: () => Promise<void>
}

/** Wires the jobs and services over one search space; nothing runs yet. */
export function compose(dataDir: string, space: SearchSpace, registry: ModelRegistry, userLabels: UserLabels, collections: Collections, opts: { threads?: number }): Composed {
  const cascadeThreshold = Number(process.env.MRL_CASCADE_THRESHOLD ?? 0.9) // the cascade's confidence for a photo's label
  const board = new JobBoard()
  const slot = new SpaceSlot(space)
  // the services and jobs refer to each other through `ctx` and `services`, filled in below
  const ctx = { dataDir, slot, board, registry, userLabels, collections } as Writable<EngineContext>
  const services = {} as Services
  let embedClient: EmbedClient | null = null
  const photos = (): IterableIterator<PhotoMeta> => slot.current.meta.values()
  ctx.embedder = () => {
    if (!embedClient?.alive) embedClient = new EmbedClient(slot.current.model.onnxPath, opts.threads)
    return embedClient
  }
  const closeEmbedder = async () => {
    const client = embedClient
    embedClient = null
    await client?.close()
  }
  const layout = dataLayout(dataDir)
  ctx.thumbPath = layout.thumb
  ctx.tmpPath = layout.temp
  const roots = async () => realRoots(await slot.current.store.listFolders())
  const places = new PlaceIndex()
  const people = new PeopleService(ctx)
  const faces = facesSignal({ dataDir, changed: (values) => people.sync(values) })
  // cheap signals first, so what is quick to have comes first
  const signals = [coloursSignal, placesSignal(places), duplicatesSignal(() => slot.current), faces, textSignal({ threads: opts.threads })] as SignalDefinition<unknown>[]
  ctx.signals = new Signals({ dataDir, photos, thumbPath: ctx.thumbPath, roots }, board.add(signalsSpec), signals)
  // the order in which a query's words are claimed: the user's own names first, people and places before dates, colours last
  ctx.terms = new QueryTerms()
    .addSource(labelSource(userLabels))
    .addSource(collections.termSource())
    .addSource(personSource(people))
    .addSource(placeSource(places))
    .addSource(dateSource)
    .addSource(colourSource(ctx.signals))
    .addFilter(personFilter(people))
    .addFilter(placeFilter(places))
    .addText(textSource(ctx.signals))
    .addFilter(textFilter(ctx.signals))
    // favourites, albums and your labels as filters
    .addFilter(collections.filterSource(userLabels))
  ctx.indexer = new Indexer({ dataDir, slot, cascadeThreshold, embedder: ctx.embedder, thumbPath: ctx.thumbPath, indexed: () => ctx.signals.start() }, board.add(indexingSpec))
  ctx.adaptation = new Adaptation(
    dataDir,
    {
      get store() { return slot.current.store },
      get nesting() { return slot.current.nesting },
      get adaptorNesting() { return services.adaptors.adaptorNesting() },
      get modelId() { return slot.current.modelId },
      labelled: () => userLabels.labelled(photos()),
      useSearchSpace: (active, adapt) => services.adaptors.useSearchSpace(active, adapt)
    },
    board.add(adaptorSpec(() => slot.current.nesting))
  )
  ctx.switcher = new ModelSwitch(
    {
      dataDir, registry, threads: opts.threads, cascadeThreshold,
      get model(): Model { return slot.current.model },
      indexedPhotos: photos,
      holdIndexer: () => ctx.indexer.hold(),
      releaseIndexer: () => ctx.indexer.release(),
      flip: (model, store, target) => services.models.flip(model, store, target, closeEmbedder),
      adaptUnsupervised: (onProgress) => services.adaptors.adaptUnsupervised(onProgress, 'reembedding')
    },
    board.add(reembeddingSpec)
  )
  const base = fineTuneBase()
  ctx.fineTuning = new Backbone(
    {
      dataDir,
      labelledPhotos: () => services.labels.labelled().map(({ path, label }) => ({ path, label })),
      importModel: async (path, cardPath) => (await services.models.importModel({ path, cardPath, use: true }, 'finetune')).model.name
    },
    board.add(finetuneSpec(base.nesting)),
    base
  )
  Object.assign(services, {
    library: new LibraryService(ctx),
    search: new SearchService(ctx),
    labels: new LabelsService(ctx),
    adaptors: new AdaptorsService(ctx),
    models: new ModelsService(ctx),
    finetune: new FineTuneService(ctx),
    places: new PlacesService(ctx, places),
    duplicates: new DuplicatesService(ctx),
    people,
    text: new PhotoTextService(ctx),
    collections: new CollectionsService(ctx)
  })
  return { ctx, services, closeEmbedder }
}
