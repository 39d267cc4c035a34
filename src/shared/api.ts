// The one typed API: the Electron IPC bridge, the HTTP server and the renderer all use these schemas.
import { z } from 'zod'

export const PhotoId = z.number().int().nonnegative()

/** (Ds, K, Dr): shortlist K candidates on the Ds-prefix, rerank them exactly on the Dr-prefix; K = 0: exact search on Dr. */
export const FunnelConfig = z.object({
  ds: z.number().int().positive(),
  k: z.number().int().nonnegative().max(1_000_000),
  dr: z.number().int().positive()
})
export type FunnelConfig = z.infer<typeof FunnelConfig>

export const Filter = z
  .object({
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    camera: z.string().max(200).optional(),
    folder: z.string().max(4096).optional(),
    name: z.string().max(500).optional(),
    label: z.string().max(200).optional(),
    // ---- places ----
    /** a place's key from the map ("FR", "FR/Île-de-France/Paris") or a city, region or country name */
    place: z.string().max(300).optional(),
    // ---- people ----
    /** a person's name, or "#<id>" */
    person: z.string().max(200).optional(),
    // ---- text read in photos ----
    /** words written in the photo (text read by OCR) */
    text: z.string().max(200).optional(),
    // the user's own collections (src/main/services/collections.ts, userLabels.ts)
    /** photos the user gave this label (label: the model's concept) */
    userLabel: z.string().max(200).optional(),
    album: z.string().max(200).optional(),
    favourite: z.boolean().optional()
  })
  .strict()
export type Filter = z.infer<typeof Filter>

/** Whether a filter keeps fewer than every photo (an empty field filters nothing). */
export const filterActive = (f: Filter | undefined): f is Filter => !!f && Object.values(f).some(Boolean)

export const Query = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('photo'), id: PhotoId }),
  // a dropped or opened file, base64; 40 MB of base64 is a 30 MB photo
  z.object({ kind: z.literal('image'), data: z.string().min(1).max(40_000_000) }),
  z.object({ kind: z.literal('text'), text: z.string().trim().min(1).max(200) })
])
export type Query = z.infer<typeof Query>

export const SearchRequest = z
  .object({
    query: Query,
    filter: Filter.optional(),
    dial: z.number().min(0).max(1).optional(),
    config: FunnelConfig.optional(),
    limit: z.number().int().min(1).max(500).default(60),
    /** calibrated: hide results below the model card's relevance cut-off (the app and the CLI ask for it); all: rank everything */
    relevance: z.enum(['calibrated', 'all']).optional()
  })
  .strict()
export type SearchRequest = z.infer<typeof SearchRequest>

export const PhotoSummary = z.object({
  id: PhotoId,
  path: z.string(),
  name: z.string(),
  folder: z.string(),
  width: z.number(),
  height: z.number(),
  takenAt: z.string().nullable(),
  label: z.string(),
  labelConfidence: z.number(),
  labelDims: z.number(),
  /** the label the user gave this photo (null: none) */
  userLabel: z.string().nullable(),
  favourite: z.boolean().default(false),
  /** what the model sees, calibrated (null: the model or the adaptor in use has no calibration) */
  guess: z.object({
    label: z.string().nullable(),
    p: z.number(),
    kinds: z.array(z.string()),
    below: z.object({ name: z.string(), p: z.number() }).nullable(),
    top: z.array(z.object({ name: z.string(), p: z.number() }))
  }).nullable()
})
export type PhotoSummary = z.infer<typeof PhotoSummary>

export const PhotoDetail = PhotoSummary.extend({
  size: z.number(),
  mtime: z.string(),
  hash: z.string(),
  camera: z.string().nullable(),
  lens: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  orientation: z.number().nullable(),
  // ---- places ----
  /** where it was taken, from its GPS (null: no GPS, or not placed yet) */
  place: z.object({ city: z.string().nullable(), region: z.string().nullable(), country: z.string().nullable(), label: z.string() }).nullable().default(null)
})
export type PhotoDetail = z.infer<typeof PhotoDetail>

export const SearchHit = PhotoSummary.extend({
  score: z.number(),
  /** the line written in the photo that the query's words matched (absent: it matched by how it looks) */
  said: z.string().optional()
})
export type SearchHit = z.infer<typeof SearchHit>

export const SearchStats = z.object({
  stages: z.array(z.object({ dims: z.number(), candidates: z.number() })),
  ds: z.number(),
  k: z.number(),
  dr: z.number(),
  exact: z.boolean(),
  scanned: z.number(),
  ms: z.number(),
  estimatedRecall: z.number().nullable()
})
export type SearchStats = z.infer<typeof SearchStats>

export const TermKind = z.enum(['colour', 'label', 'album', 'person', 'place', 'date', 'text'])

export const SearchResponse = z.object({
  hits: z.array(SearchHit),
  stats: SearchStats,
  matched: z.object({
    classes: z.array(z.string()),
    via: z.array(z.string()),
    /** one per query term that matched ("dog on the beach": dog, beach); a photo must look like each */
    groups: z.array(z.object({ term: z.string(), classes: z.array(z.string()) })).default([]),
    /** query terms the model cannot see, with the nearest concepts it knows */
    unknown: z.array(z.object({ term: z.string(), nearest: z.array(z.string()) })).default([]),
    /** colour words of the query ("red car"): a photo must have each among its dominant colours */
    colours: z.array(z.string()).default([]),
    /**
     * words that named something besides the look of a photo: a label, album, person, place, date or
     * colour (each narrows the photos: photos = how many it keeps), or text read in photos (its hits
     * come first)
     */
    terms: z.array(z.object({ kind: TermKind, term: z.string(), label: z.string(), photos: z.number() })).default([])
  }).nullable(),
  /** the calibrated relevance cut-off applied (null: none known for this model or adaptor) */
  cutoff: z.object({ score: z.number(), dims: z.number(), hidden: z.number() }).nullable().default(null)
})
export type SearchResponse = z.infer<typeof SearchResponse>

export const Skipped = z.object({ path: z.string(), reason: z.string() })
export type Skipped = z.infer<typeof Skipped>

export const Progress = z.object({
  phase: z.enum(['idle', 'scanning', 'indexing', 'calibrating', 'done']),
  done: z.number(),
  total: z.number(),
  perSecond: z.number(),
  etaSeconds: z.number().nullable(),
  skipped: z.number(),
  message: z.string()
})
export type Progress = z.infer<typeof Progress>

export const DialPoint = z.object({
  position: z.number(),
  config: FunnelConfig,
  exact: z.boolean(),
  /** recall@10 against exact full-dim search, measured on this library (null until measured) */
  recall: z.number().nullable(),
  ms: z.number().nullable()
})
export type DialPoint = z.infer<typeof DialPoint>

export const Status = z.object({
  dataDir: z.string(),
  photos: z.number(),
  folders: z.array(z.object({ path: z.string(), photos: z.number() })),
  progress: Progress,
  model: z.object({ id: z.string(), name: z.string(), arch: z.string(), nesting: z.array(z.number()), classes: z.array(z.string()) }),
  dial: z.array(DialPoint)
})
export type Status = z.infer<typeof Status>

/**
 * Characters a name shown to people must not hold: control characters (NUL, newlines, escapes,
 * C1) and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a
 * name display as something else ("gpj.exe" shown as "exe.jpg"), and line/paragraph separators.
 */
const HIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u

/** A name a user gives and the app shows (labels, albums, models): trimmed, 1..max characters, nothing hidden. */
export const displayName = (max = 100) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !HIDDEN_CHARACTERS.test(s), { message: 'must not contain control characters or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)' })
export const DisplayName = displayName(100)
/** `s` with those characters taken out (a name made from a file name). */
export const withoutHiddenCharacters = (s: string) => s.replace(new RegExp(HIDDEN_CHARACTERS.source, 'gu'), '')

export const LabelName = DisplayName

export const Labels = z.object({
  labels: z.array(z.object({ name: z.string(), count: z.number() })),
  /** labelled photos in the library */
  labelled: z.number()
})
export type Labels = z.infer<typeof Labels>

export const TrainingKind = z.enum(['supervised', 'unsupervised'])
export type TrainingKind = z.infer<typeof TrainingKind>

/** A training run as the UI and CLI follow it: per epoch, the held-out metric per prefix. */
export const Training = z.object({
  phase: z.enum(['idle', 'preparing', 'training', 'applying', 'done', 'failed', 'cancelled']),
  kind: TrainingKind.nullable(),
  epoch: z.number(),
  epochs: z.number(),
  loss: z.number().nullable(),
  metric: z.enum(['accuracy', 'neighbours@10']),
  nesting: z.array(z.number()),
  /** held-out accuracy (supervised) or top-10 neighbour overlap with the full embedding (unsupervised), per prefix */
  perPrefix: z.array(z.number()),
  message: z.string(),
  /** the adaptor version the run produced (when done) */
  version: z.number().nullable()
})
export type Training = z.infer<typeof Training>

/** Whether this machine can fine-tune the whole model (Python with PyTorch), and if not, what is missing. */
export const BackboneRequirements = z.object({
  available: z.boolean(),
  python: z.string().nullable(),
  pythonVersion: z.string().nullable(),
  torch: z.string().nullable(),
  missing: z.string().nullable()
})
export type BackboneRequirements = z.infer<typeof BackboneRequirements>

/** A full-backbone fine-tuning run (pretrain/finetune.py): per epoch, held-out accuracy per prefix. */
export const FineTune = z.object({
  phase: z.enum(['idle', 'preparing', 'training', 'exporting', 'importing', 'done', 'failed', 'cancelled']),
  epoch: z.number(),
  epochs: z.number(),
  loss: z.number().nullable(),
  nesting: z.array(z.number()),
  /** held-out accuracy per prefix with heads fitted on the current backbone, before fine-tuning */
  before: z.array(z.number()),
  perPrefix: z.array(z.number()),
  bestEpoch: z.number().nullable(),
  message: z.string(),
  /** the imported model (when done) */
  model: z.string().nullable(),
  seconds: z.number()
})
export type FineTune = z.infer<typeof FineTune>

export const AdaptorInfo = z.object({
  version: z.number(),
  kind: TrainingKind,
  createdAt: z.string(),
  classes: z.array(z.string()),
  photos: z.number(),
  seconds: z.number(),
  epochs: z.number(),
  metric: z.enum(['accuracy', 'neighbours@10']),
  perPrefix: z.array(z.number())
})
export type AdaptorInfo = z.infer<typeof AdaptorInfo>

export const Adaptors = z.object({ active: z.number().nullable(), versions: z.array(AdaptorInfo) })
export type Adaptors = z.infer<typeof Adaptors>

/** An encoder's settings entered in a form, when it comes without a model card. */
export const ImportSettings = z
  .object({
    name: DisplayName.optional(),
    size: z.number().int().min(8).max(4096),
    mean: z.array(z.number()).length(3),
    std: z.array(z.number().positive()).length(3),
    channels: z.enum(['RGB', 'BGR']).default('RGB'),
    layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
    inputName: z.string().trim().min(1).max(200).optional(),
    output: z.string().trim().min(1).max(200)
  })
  .strict()
export type ImportSettings = z.input<typeof ImportSettings>

/** What checking a model on a few photos found. */
export const ValidationReport = z.object({
  dims: z.number(),
  /** library photos it ran on (0: a generated image) */
  photos: z.number(),
  msPerPhoto: z.number(),
  warnings: z.array(z.string())
})
export type ValidationReport = z.infer<typeof ValidationReport>

export const ModelInfo = z.object({
  id: z.string(),
  name: z.string(),
  arch: z.string(),
  dims: z.number(),
  nesting: z.array(z.number()),
  /** trained with nested prefixes; otherwise prefixes come from the unsupervised adaptor */
  matryoshka: z.boolean(),
  source: z.enum(['bundled', 'imported']),
  importedAt: z.string().nullable(),
  report: ValidationReport,
  active: z.boolean()
})
export type ModelInfo = z.infer<typeof ModelInfo>

/** Re-embedding the library for another model; the previous one answers searches until it is done. */
export const ModelSwitchStatus = z.object({
  phase: z.enum(['idle', 'embedding', 'finishing', 'adapting', 'done', 'failed', 'cancelled']),
  from: z.string().nullable(),
  to: z.string().nullable(),
  toId: z.string().nullable(),
  done: z.number(),
  total: z.number(),
  perSecond: z.number(),
  etaSeconds: z.number().nullable(),
  message: z.string()
})
export type ModelSwitchStatus = z.infer<typeof ModelSwitchStatus>

export const Models = z.object({ active: z.string(), models: z.array(ModelInfo), switch: ModelSwitchStatus })
export type Models = z.infer<typeof Models>

export const ImportModelInput = z
  .object({
    /** the ONNX file on this machine (browser mode runs on the same machine)... */
    path: z.string().min(1).max(4096).optional(),
    /** ...or uploaded, base64 (40 MB of base64 is a 30 MB model; larger ones by path) */
    data: z.string().min(1).max(40_000_000).optional(),
    fileName: z.string().max(255).optional(),
    /** a model card in our format: a file on this machine, or its parsed JSON */
    cardPath: z.string().min(1).max(4096).optional(),
    card: z.record(z.string(), z.unknown()).optional(),
    settings: ImportSettings.optional(),
    /** re-embed the library with it and switch once done */
    use: z.boolean().default(true)
  })
  .strict()
  .refine((i) => (i.path === undefined) !== (i.data === undefined), { message: 'give the ONNX file as path or as data, not both' })
  .refine((i) => [i.cardPath, i.card, i.settings].filter((x) => x !== undefined).length === 1, { message: 'give one of cardPath, card or settings' })

// ---- places and duplicates (per-photo signals) ----

/** A place photos were taken in, with how many (the map's markers and shading). */
export const PlaceCount = z.object({
  /** what the place filter takes: "FR", "FR/Île-de-France", "FR/Île-de-France/Paris" */
  key: z.string(),
  level: z.enum(['country', 'region', 'city']),
  name: z.string(),
  /** "Paris, Île-de-France, France" */
  label: z.string(),
  count: z.number(),
  /** the city's point; for a region or country, the mean of its photos' points */
  lat: z.number(),
  lon: z.number(),
  countryCode: z.string().nullable(),
  /** ISO 3166-1 numeric, as world maps key country shapes */
  countryN3: z.string().nullable()
})
export type PlaceCount = z.infer<typeof PlaceCount>

export const Places = z.object({
  /** photos with a place */
  located: z.number(),
  /** photos with GPS in their EXIF (some may lie at sea, with no place) */
  withGps: z.number(),
  photos: z.number(),
  countries: z.array(PlaceCount),
  regions: z.array(PlaceCount),
  cities: z.array(PlaceCount)
})
export type Places = z.infer<typeof Places>

export const DuplicateGroup = z.object({
  /** exact: the same file; duplicate: a resized, recompressed, cropped or re-exported copy; similar: only alike */
  kind: z.enum(['exact', 'duplicate', 'similar']),
  /** the lowest cosine (full dims) that joined the group; 1 for identical files */
  score: z.number(),
  /** the copy to keep: the largest, in an original format, the earliest */
  best: PhotoId,
  photos: z.array(PhotoSummary.extend({ size: z.number(), format: z.string(), when: z.string() }))
})
export type DuplicateGroup = z.infer<typeof DuplicateGroup>

export const Duplicates = z.object({
  groups: z.array(DuplicateGroup),
  photos: z.number(),
  /** photos in exact or near-duplicate groups, and in similar groups */
  duplicatePhotos: z.number(),
  similarPhotos: z.number(),
  /** the self-join: shortlist k on the ds-prefix, rerank at full dims; the cosine and look thresholds */
  thresholds: z.object({ ds: z.number(), k: z.number(), duplicate: z.number(), look: z.number(), cropDuplicate: z.number(), cropLook: z.number(), similar: z.number(), similarLook: z.number() })
})
export type Duplicates = z.infer<typeof Duplicates>
// People: faces found in photos, clustered into people the user names, merges and splits
export const PersonId = z.number().int().positive()
export const PersonName = z.string().trim().max(100)
export const PersonSummary = z.object({
  id: PersonId,
  /** empty until the user names the person */
  name: z.string(),
  faces: z.number(),
  photos: z.number(),
  /** a face of the person as a small JPEG (data URL) */
  cover: z.string()
})
export type PersonSummary = z.infer<typeof PersonSummary>
export const People = z.object({
  people: z.array(PersonSummary),
  /** faces found, and photos looked at for faces so far */
  faces: z.number(),
  photos: z.number(),
  /** the face space the clustering searches (null: too few faces yet, searched on the model's own embedding) */
  space: z.object({ faces: z.number(), dims: z.number(), nesting: z.array(z.number()), before: z.array(z.number()), after: z.array(z.number()) }).nullable()
})
export const PersonFace = z.object({ key: z.string(), photo: PhotoId, crop: z.string(), user: z.boolean() })
const FaceKeys = z.array(z.string().min(1).max(200)).min(1).max(5000)

// ---- text read in photos (OCR) ----
/** A line of text read in a photo; its box's corners as shares of the upright photo's width and height (x1, y1, … x4, y4, clockwise from top left). */
export const TextLine = z.object({ text: z.string(), confidence: z.number(), box: z.array(z.number()).length(8) })
export type TextLine = z.infer<typeof TextLine>
export const PhotoText = z.object({
  id: PhotoId,
  /** read: the lines are up to date with the file; pending: not read yet (the signals job will) */
  state: z.enum(['read', 'pending']),
  lines: z.array(TextLine)
})
export type PhotoText = z.infer<typeof PhotoText>

// ---- the photo app's screens: the timeline and its sorts, favourites, albums, the folder browser ----

/** date: when the photo was taken (EXIF), else its file's time; name; folder (then name) */
export const PhotoSort = z.enum(['date-desc', 'date-asc', 'name', 'folder'])
export type PhotoSort = z.infer<typeof PhotoSort>

/**
 * One heading of the sorted list: a day (YYYY-MM-DD) for the date sorts, a folder for the folder
 * sort, one unnamed group for the name sort; its photos are [start, start + count) of the list.
 */
export const TimelineGroup = z.object({
  key: z.string(),
  start: z.number(),
  count: z.number(),
  /** photos of the group dated by their file's time: no date in the photo */
  fileDated: z.number()
})
export type TimelineGroup = z.infer<typeof TimelineGroup>

export const Timeline = z.object({ total: z.number(), groups: z.array(TimelineGroup) })
export type Timeline = z.infer<typeof Timeline>

export const AlbumName = z.string().trim().min(1).max(100)
export const Albums = z.object({
  albums: z.array(z.object({ name: z.string(), count: z.number(), cover: PhotoId.nullable() })),
  favourites: z.number()
})
export type Albums = z.infer<typeof Albums>

/** A folder the folder browser lists: under the home folder or a mounted volume only, no hidden ones. */
export const FolderEntry = z.object({ name: z.string(), path: z.string() })
export const FolderListing = z.object({
  /** the folder listed (null: the roots) */
  path: z.string().nullable(),
  /** one up, while still inside a root (null: back to the roots) */
  parent: z.string().nullable(),
  roots: z.array(FolderEntry),
  folders: z.array(FolderEntry),
  /** image files directly in this folder (a hint, counted up to 1,000) */
  images: z.number()
})
export type FolderListing = z.infer<typeof FolderListing>

const photoIds = z.array(PhotoId).min(1).max(100_000)

export const collectionApi = {
  /** the group headings and counts of the sorted, filtered list (the scrubber), without its rows */
  timeline: { input: z.object({ filter: Filter.optional(), sort: PhotoSort.default('date-desc') }).strict(), output: Timeline },
  setFavourite: { input: z.object({ ids: photoIds, favourite: z.boolean() }).strict(), output: Albums },
  albums: { input: z.object({}).strict(), output: Albums },
  createAlbum: { input: z.object({ name: AlbumName, ids: z.array(PhotoId).max(100_000).default([]) }).strict(), output: Albums },
  renameAlbum: { input: z.object({ from: AlbumName, to: AlbumName }).strict(), output: Albums },
  deleteAlbum: { input: z.object({ name: AlbumName }).strict(), output: Albums },
  addToAlbum: { input: z.object({ name: AlbumName, ids: photoIds }).strict(), output: Albums },
  removeFromAlbum: { input: z.object({ name: AlbumName, ids: photoIds }).strict(), output: Albums },
  /** the folders in a folder (path absent: the roots: home and mounted volumes) */
  browseFolders: { input: z.object({ path: z.string().min(1).max(4096).optional() }).strict(), output: FolderListing }
} as const

const empty = z.object({}).strict()
const folderInput = z.object({ path: z.string().min(1).max(4096) }).strict()

export const api = {
  status: { input: empty, output: Status },
  addFolder: { input: folderInput, output: Status },
  removeFolder: { input: folderInput, output: Status },
  reindex: { input: empty, output: Status },
  listPhotos: {
    input: z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
        filter: Filter.optional(),
        sort: PhotoSort.default('date-desc')
      })
      .strict(),
    output: z.object({ total: z.number(), photos: z.array(PhotoSummary) })
  },
  getPhoto: { input: z.object({ id: PhotoId }).strict(), output: PhotoDetail },
  search: { input: SearchRequest, output: SearchResponse },
  skipped: { input: empty, output: z.object({ files: z.array(Skipped) }) },
  labels: { input: empty, output: Labels },
  createLabel: { input: z.object({ name: LabelName }).strict(), output: Labels },
  renameLabel: { input: z.object({ from: LabelName, to: LabelName }).strict(), output: Labels },
  deleteLabel: { input: z.object({ name: LabelName }).strict(), output: Labels },
  /** label null takes the photos' labels away */
  assignLabel: { input: z.object({ ids: z.array(PhotoId).min(1).max(100_000), label: LabelName.nullable() }).strict(), output: Labels },
  train: { input: z.object({ kind: TrainingKind }).strict(), output: Training },
  training: { input: empty, output: Training },
  cancelTraining: { input: empty, output: Training },
  /** can this machine fine-tune the whole model (recheck: look again, e.g. after installing PyTorch), and the current run */
  backbone: { input: z.object({ recheck: z.boolean().default(false) }).strict(), output: z.object({ requirements: BackboneRequirements, run: FineTune }) },
  /** fine-tunes the whole model in PyTorch on the labelled photos, then imports it and switches to it */
  trainBackbone: { input: z.object({ epochs: z.number().int().min(0).max(200).optional() }).strict(), output: FineTune },
  cancelBackbone: { input: empty, output: FineTune },
  adaptors: { input: empty, output: Adaptors },
  /** search with this adaptor version, or with the model's own embeddings (null): also the rollback */
  useAdaptor: { input: z.object({ version: z.number().int().positive().nullable() }).strict(), output: Adaptors },
  models: { input: empty, output: Models },
  /** checks an ONNX image encoder on a few library photos, keeps a copy, and (use) switches to it */
  importModel: { input: ImportModelInput, output: z.object({ model: ModelInfo, models: Models }) },
  /** re-embeds the library with this model (id, id prefix, name or "bundled"); search keeps the old one until done */
  useModel: { input: z.object({ id: z.string().trim().min(1).max(200) }).strict(), output: Models },
  /** abandons a switch in progress: the model in use stays */
  cancelModelSwitch: { input: empty, output: Models },
  /** auto-tags: unlabelled photos the adaptor's heads place in one of your labels, confident enough */
  suggestions: {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    output: z.object({
      threshold: z.number().nullable(),
      suggestions: z.array(z.object({ id: PhotoId, name: z.string(), label: z.string(), confidence: z.number(), dims: z.number() }))
    })
  },
  // ---- places and duplicates ----
  /** where the photos were taken: counts by country, region and city */
  places: { input: empty, output: Places },
  /** groups of copies (exact and near) and, apart, of similar photos; nothing is ever deleted or moved */
  duplicates: { input: z.object({ kind: z.enum(['all', 'duplicates', 'similar']).default('all') }).strict(), output: Duplicates },
  // ---- people ----
  people: { input: empty, output: People },
  personFaces: {
    input: z.object({ id: PersonId, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(200) }).strict(),
    output: z.object({ person: PersonSummary, total: z.number(), faces: z.array(PersonFace) })
  },
  /** an empty name makes the person unnamed again */
  namePerson: { input: z.object({ id: PersonId, name: PersonName }).strict(), output: People },
  /** the faces of `from` join `into`, for good */
  mergePeople: { input: z.object({ into: PersonId, from: z.array(PersonId).min(1).max(100) }).strict(), output: People },
  /** takes faces off a person for good: each joins another person or starts one (split: they start one together) */
  removeFaces: { input: z.object({ person: PersonId, keys: FaceKeys, split: z.boolean().default(false) }).strict(), output: People },
  // ---- text read in photos ----
  /** the text read in a photo, with its boxes */
  photoText: { input: z.object({ id: PhotoId }).strict(), output: PhotoText },
  ...collectionApi
} as const

export type Api = typeof api
export type Method = keyof Api
export type Input<M extends Method> = z.input<Api[M]['input']>
export type Output<M extends Method> = z.infer<Api[M]['output']>
export const methods = Object.keys(api) as Method[]
export const isMethod = (name: string): name is Method => Object.hasOwn(api, name)

/** The engine's side of the contract: one typed handler per method (src/main/app/handlers.ts). */
export type ApiHandlers = { [M in Method]: {} extends Input<M> ? (input?: Input<M>) => Promise<Output<M>> : (input: Input<M>) => Promise<Output<M>> }
