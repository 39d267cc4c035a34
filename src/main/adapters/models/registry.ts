// The image encoders the app can use: the bundled one, and those imported into the data folder
// (<data>/models/<sha256>/model.onnx + model.json, a card in our format; the user's own file is
// never read again after the import). Also the choice of model, persisted so a restart resumes a
// switch: model-state.json names the model search uses now, its photo table, and the one being
// re-embedded for (if any).
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { copyFile, mkdir, readFile, rm, stat, writeFile, rename } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import { ImportSettings, type ValidationReport } from '../../../shared/api'
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

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

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
async function draftCard(onnxPath: string, source: ImportSource): Promise<{ card: Record<string, any>; cardDir: string | null }> {
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
      name: s.name ?? basename(onnxPath).replace(/\.onnx$/i, ''),
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
  const registry = new ModelRegistry(dataDir)
  const bytes = await readFile(src)
  const id = sha256(bytes)
  const known = (await registry.list()).find((m) => m.id === id)
  if (known) throw new UserError(`that model is already ${known.source === 'bundled' ? 'bundled' : 'imported'} as “${known.name}” (${id.slice(0, 12)})`, 409)

  const { card: draft, cardDir } = await draftCard(src, source)
  const input = draft.input ?? {}
  const tmp = join(registry.dir, `.import-${randomBytes(6).toString('hex')}`)
  await mkdir(tmp, { recursive: true })
  try {
    const tmpOnnx = join(tmp, 'model.onnx')
    await writeFile(tmpOnnx, bytes) // validated from the copy: the user's file is not read again
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
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
