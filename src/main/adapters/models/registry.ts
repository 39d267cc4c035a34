// The image encoders the app can use: the bundled one, and those imported into the data folder
// (<data>/models/<sha256>/model.onnx + model.json, a card in our format; the user's own file is
// never read again after the import). Also the choice of model, persisted so a restart resumes a
// switch: model-state.json names the model search uses now, its photo table, and the one being
// re-embedded for (if any).
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync, readFileSync, readdirSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { copyFile, mkdir, readFile, rm, stat, writeFile, rename } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import { ImportSettings, withoutHiddenCharacters, type ValidationReport } from '../../../shared/api'
import { UserError } from '../../../shared/errors'
import { writeFileAtomicSync } from '../fs/atomicWrite'
import { bundledModelPath, Card, CardFile, cardFile, loadModel, type Model, type ModelCard } from './modelCard'
import { checkModel, type CheckReport } from './modelCheck'
import { dataLayout } from '../fs/dataLayout'

export interface ImportSource {
  /** a card in our format (resources/models/*.json), as a file... */
  cardPath?: string
  /** ...or already parsed (an upload) */
  card?: unknown
  settings?: ImportSettings
}

export interface ImportedModel {
  id: string
  name: string
  dims: number
  nesting: number[]
  matryoshka: boolean
  report: ValidationReport
}

export interface ModelEntry extends ImportedModel {
  source: 'bundled' | 'imported'
  arch: string
  onnxPath: string
  importedAt: string | null
}

/** A model's photo table: the photos with that model's embeddings. */
export interface TableRef {
  model: string
  table: string
}

export interface ModelState {
  /** what search uses (null: the bundled model in the original `photos` table) */
  active: TableRef | null
  /** being re-embedded for; becomes active once every photo has its embedding */
  target: TableRef | null
  /** a non-Matryoshka model whose unsupervised adaptor is still to be trained */
  adaptFor: string | null
}

const EMPTY_STATE: ModelState = { active: null, target: null, adaptFor: null }

export const isMatryoshka = (card: ModelCard) => card.nesting.length > 1
export const modelId = (card: ModelCard) => card.sha256 ?? card.name
export const tableFor = (id: string) => `photos_${id.slice(0, 16)}_${randomBytes(3).toString('hex')}`

/**
 * The largest model imported. It is copied into the data folder and each embedding worker holds
 * it in memory, so a model costs its size on disk and more in memory; 512 MiB takes the image
 * encoders that embed a library in reasonable time on a laptop (ResNet-50/101, ViT-B/16 and CLIP
 * ViT-B image towers at float32, 100-350 MB) and refuses ViT-L-sized ones (1.2 GB and more),
 * which would take seconds per photo on a few CPU cores.
 */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024

const tooLarge = (src: string) => `the model ${src} is over ${MAX_MODEL_BYTES / 1024 / 1024} MiB, the largest that is imported (it is copied into the data folder and held in memory by every embedding worker)`

/** Copies `src` to `dest` in a stream, hashing while copying; refuses it once past MAX_MODEL_BYTES (it may grow meanwhile). */
async function copyHashed(src: string, dest: string): Promise<string> {
  const hash = createHash('sha256')
  let size = 0
  const counted = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      size += chunk.length
      if (size > MAX_MODEL_BYTES) throw new UserError(tooLarge(src), 413)
      hash.update(chunk)
      yield chunk
    }
  }
  await pipeline(createReadStream(src), counted, createWriteStream(dest))
  return hash.digest('hex')
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'card'}: ${i.message}`).join('; ')
}

export class ModelRegistry {
  readonly dir: string
  /** the list, for as long as the set of imported folders stays the same (the UI polls it) */
  private cached: { key: string; entries: ModelEntry[] } | null = null

  constructor(private readonly dataDir: string) {
    this.dir = dataLayout(dataDir).models
  }

  private stateFile(): string {
    return dataLayout(this.dataDir).modelState
  }

  state(): ModelState {
    try {
      return { ...EMPTY_STATE, ...(JSON.parse(readFileSync(this.stateFile(), 'utf8')) as Partial<ModelState>) }
    } catch {
      return { ...EMPTY_STATE }
    }
  }

  /** One rename: a crash leaves the old state or the new, never a mix. */
  setState(next: ModelState): void {
    writeFileAtomicSync(this.stateFile(), JSON.stringify(next))
  }

  private entry(model: Model, source: ModelEntry['source'], extra: { importedAt?: string; report?: ValidationReport } = {}): ModelEntry {
    const { card } = model
    return {
      id: modelId(card),
      name: card.name,
      arch: card.arch,
      dims: card.embedding_dim,
      nesting: card.nesting,
      matryoshka: isMatryoshka(card),
      report: extra.report ?? { dims: card.embedding_dim, photos: 0, msPerPhoto: 0, warnings: [] },
      source,
      onnxPath: model.onnxPath,
      importedAt: extra.importedAt ?? null
    }
  }

  async list(): Promise<ModelEntry[]> {
    const subs = existsSync(this.dir) ? readdirSync(this.dir).sort() : []
    const key = `${bundledModelPath()}|${subs.join(',')}`
    if (this.cached?.key === key) return this.cached.entries
    const out = [this.entry(await loadModel(bundledModelPath()), 'bundled')]
    for (const sub of subs) {
      const onnx = join(this.dir, sub, 'model.onnx')
      if (!/^[0-9a-f]{64}$/.test(sub) || !existsSync(onnx)) continue
      try {
        const model = await loadModel(onnx)
        const extra = JSON.parse(await readFile(join(this.dir, sub, 'import.json'), 'utf8')) as { importedAt: string; report: ValidationReport }
        out.push(this.entry(model, 'imported', extra))
      } catch (err) {
        console.error(`ignoring the imported model in ${join(this.dir, sub)}: ${(err as Error).message}`)
      }
    }
    this.cached = { key, entries: out }
    return out
  }

  /** A model by id, id prefix or name ("bundled" names the bundled one). */
  async find(key: string): Promise<ModelEntry> {
    const all = await this.list()
    const hit = key === 'bundled' ? all[0] : all.find((m) => m.id === key || m.name === key) ?? (key.length >= 6 ? all.find((m) => m.id.startsWith(key)) : undefined)
    if (!hit) throw new UserError(`no model “${key}”; known: ${all.map((m) => `${m.name} (${m.id.slice(0, 12)})`).join(', ')}`, 404)
    return hit
  }

  async load(id: string): Promise<Model> {
    return loadModel((await this.find(id)).onnxPath)
  }
}

/** The card for an import: the given one (our format), or one made from the form's settings. */
interface Draft {
  card: Record<string, any>
  cardDir: string | null
}

async function draftCard(onnxPath: string, source: ImportSource): Promise<Draft> {
  if (source.cardPath) {
    const path = resolve(source.cardPath)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      throw new UserError(`cannot read the model card ${path} (${(err as NodeJS.ErrnoException).code ?? err})`, 404)
    }
    try {
      return { card: JSON.parse(text), cardDir: dirname(path) }
    } catch {
      throw new UserError(`the model card ${path} is not JSON`)
    }
  }
  if (source.card !== undefined) {
    if (!source.card || typeof source.card !== 'object') throw new UserError('the model card must be a JSON object')
    return { card: source.card as Record<string, any>, cardDir: null }
  }
  if (!source.settings) throw new UserError('give the model\'s settings (input size, mean, std, output name) or its model card')
  const parsed = ImportSettings.safeParse(source.settings)
  if (!parsed.success) throw new UserError(`invalid settings: ${issues(parsed.error)}`)
  const s = parsed.data
  return {
    card: {
      name: s.name ?? (withoutHiddenCharacters(basename(onnxPath).replace(/\.onnx$/i, '')).trim().slice(0, 100) || 'imported model'),
      arch: 'imported',
      embedding_dim: 0, // measured below
      nesting: [],
      input: { name: s.inputName, size: s.size, mean: s.mean, std: s.std, channels: s.channels, layout: s.layout },
      outputs: { embedding: s.output, logits: {} },
      classes: []
    },
    cardDir: null
  }
}

/**
 * Validates an ONNX image encoder on `samplePhotos` (a generated image when there are none) and
 * copies it, with its card, into <dataDir>/models/<sha256>/. Bad files and settings are
 * UserErrors with the reason; nothing is kept from a failed import.
 */
export async function importModel(dataDir: string, onnxPath: string, source: ImportSource, opts: { samplePhotos?: string[] } = {}): Promise<ImportedModel> {
  const src = resolve(onnxPath)
  const info = await stat(src).catch(() => null)
  if (!info) throw new UserError(`no such file: ${src}`, 404)
  if (!info.isFile()) throw new UserError(`not a file: ${src}`)
  if (info.size > MAX_MODEL_BYTES) throw new UserError(tooLarge(src), 413)
  const draft = await draftCard(src, source)
  const registry = new ModelRegistry(dataDir)
  const tmp = join(registry.dir, `.import-${randomBytes(6).toString('hex')}`)
  await mkdir(tmp, { recursive: true })
  try {
    // validated from the copy: the user's file is not read again
    const id = await copyHashed(src, join(tmp, 'model.onnx'))
    const known = (await registry.list()).find((m) => m.id === id)
    if (known) throw new UserError(`that model is already ${known.source === 'bundled' ? 'bundled' : 'imported'} as “${known.name}” (${id.slice(0, 12)})`, 409)
    return await finishImport(registry, tmp, id, src, draft, opts)
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/** Checks the copy (`tmp`/model.onnx) against its draft card, writes the card, and moves `tmp` into place as models/<id>. */
async function finishImport(registry: ModelRegistry, tmp: string, id: string, src: string, { card: draft, cardDir }: Draft, opts: { samplePhotos?: string[] }): Promise<ImportedModel> {
  const tmpOnnx = join(tmp, 'model.onnx')
  const input = draft.input ?? {}
  const spec = { size: Number(input.size), mean: input.mean, std: input.std, channels: input.channels ?? 'RGB', layout: input.layout ?? 'NCHW' }
  const preCheck = CardFile.shape.input.safeParse({ ...input, name: input.name ?? 'image' })
  if (!preCheck.success) throw new UserError(`invalid input settings: ${issues(preCheck.error)}`)
  if (typeof draft.outputs?.embedding !== 'string') throw new UserError('the card must name the embedding output (outputs.embedding)')
  const check: CheckReport = await checkModel(tmpOnnx, { ...spec, inputName: input.name, output: draft.outputs.embedding }, opts.samplePhotos ?? [])
  const warnings: string[] = []

  const nesting: number[] = Array.isArray(draft.nesting) && draft.nesting.length ? draft.nesting : [check.dims]
  if (draft.embedding_dim && draft.embedding_dim !== check.dims) {
    throw new UserError(`the card says ${draft.embedding_dim} dims, the model's "${draft.outputs.embedding}" output gives ${check.dims}`)
  }
  if (nesting[nesting.length - 1] !== check.dims) throw new UserError(`the card's nesting list must end at the embedding width ${check.dims}`)
  const logits: Record<string, string> = {}
  for (const [m, name] of Object.entries((draft.outputs.logits ?? {}) as Record<string, string>)) {
    if (check.outputs.includes(name)) logits[m] = name
    else warnings.push(`logits output "${name}" is not in the model; ignored`)
  }
  const card: Record<string, any> = { ...draft, embedding_dim: check.dims, nesting, input: { ...input, name: check.inputName }, outputs: { embedding: draft.outputs.embedding, logits }, sha256: id }
  if (card.heads_file) {
    const heads = cardDir ? join(cardDir, basename(card.heads_file)) : null
    if (heads && existsSync(heads)) {
      await copyFile(heads, join(tmp, 'model.heads.json'))
      card.heads_file = 'model.heads.json'
    } else {
      warnings.push(`the heads file ${card.heads_file} was not found beside the card; text search falls back to photos the model labels`)
      delete card.heads_file
    }
  }
  if (!Array.isArray(card.classes)) card.classes = []
  const parsed = Card.safeParse(card)
  if (!parsed.success) throw new UserError(`invalid model card: ${issues(parsed.error)}`)
  await writeFile(join(tmp, 'model.json'), JSON.stringify(cardFile(parsed.data), null, 1))
  const report: ValidationReport = { dims: check.dims, photos: check.photos, msPerPhoto: check.msPerPhoto, warnings }
  await writeFile(join(tmp, 'import.json'), JSON.stringify({ importedAt: new Date().toISOString(), from: src, report }))
  await loadModel(join(tmp, 'model.onnx')) // what the engine will read back
  await rename(tmp, join(registry.dir, id))
  const c = parsed.data
  return { id, name: c.name, dims: check.dims, nesting: c.nesting, matryoshka: isMatryoshka(c), report }
}
