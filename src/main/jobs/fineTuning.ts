// Full-backbone fine-tuning in PyTorch (pretrain/finetune.py) on the user's labelled photos, where
// the machine has Python with torch (torchCheck.ts): hands the photos over as the app's own decode
// (so training sees what the embedder sees), follows the JSON progress lines, and hands the exported
// ONNX + card to the model import. Cancel kills the child.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { BackboneRequirements, FineTune } from '../../shared/api'
import { UserError } from '../../shared/errors'
import type { JobState } from '../../shared/events'
import type { Job, RunControl } from './job'
import { trainableClasses } from './labelRules'
import { BUNDLED_MODEL, resourcesDir } from '../adapters/models/modelCard'
import { toTensor, type InputSpec } from '../adapters/image/preprocess'
import { bundledWeights, detectBackbone, pretrainRoot } from '../adapters/python/torchCheck'
import { dataLayout } from '../adapters/fs/dataLayout'

export interface LabelledPhoto {
  path: string
  label: string
}

/** The starting point: the bundled model's weights and the card beside them (nesting, input). */
interface StartCard {
  nesting: number[]
  input: InputSpec
}

/** The card of the model fine-tuning starts from. */
export function fineTuneBase(): StartCard {
  return JSON.parse(readFileSync(join(resourcesDir(), 'models', `${BUNDLED_MODEL}.json`), 'utf8')) as StartCard
}

/** The engine as fine-tuning sees it. */
export interface BackboneHost {
  readonly dataDir: string
  labelledPhotos(): LabelledPhoto[]
  /** imports the exported model and switches search to it; returns its name */
  importModel(onnxPath: string, cardPath: string): Promise<string>
}

export interface BackboneOptions {
  epochs?: number
  pythons?: string[]
  /** CPU threads for PyTorch (0: one per core) */
  threads?: number
}

const RUNNING: ReadonlyArray<FineTune['phase']> = ['preparing', 'training', 'exporting', 'importing']

export const finetuneSpec = (nesting: number[]) => ({
  kind: 'finetune' as const,
  idle: (): FineTune => ({ phase: 'idle', epoch: 0, epochs: 0, loss: null, nesting, before: [], perPrefix: [], bestEpoch: null, message: '', model: null, seconds: 0 }),
  summary: (t: FineTune) => ({ phase: t.phase, done: t.epoch, total: t.epochs, perSecond: 0, etaSeconds: null, message: t.message }),
  ended: (t: FineTune): JobState => (t.phase === 'failed' || t.phase === 'cancelled' || t.phase === 'idle' ? t.phase : 'done')
})

/** The photos as the embedder decodes them (src/main/engine/preprocess.ts), as N x 3 x S x S bytes. */
async function decodeForTraining(photos: LabelledPhoto[], input: InputSpec): Promise<{ pixels: Buffer; kept: LabelledPhoto[]; failed: number }> {
  const s = input.size
  const plane = 3 * s * s
  // mean 0, std 1/255 turns the normalised tensor back into the decoded bytes
  const identity: InputSpec = { size: s, mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] }
  const tensor = new Float32Array(plane)
  const chunks: Buffer[] = []
  const kept: LabelledPhoto[] = []
  for (const photo of photos) {
    try {
      await toTensor(photo.path, identity, tensor, 0)
    } catch {
      continue // gone or unreadable since it was indexed
    }
    chunks.push(Buffer.from(Uint8Array.from(tensor, (v) => Math.round(v))))
    kept.push(photo)
  }
  return { pixels: Buffer.concat(chunks), kept, failed: photos.length - kept.length }
}

export class Backbone {
  private requirements: Promise<BackboneRequirements> | null = null
  private child: ChildProcess | null = null
  /** a start looking for Python (seconds): a second start meanwhile is refused */
  private checking = false

  constructor(
    private readonly host: BackboneHost,
    private readonly job: Job<'finetune', FineTune>,
    private readonly base: StartCard,
    private readonly opts: BackboneOptions = {}
  ) {}

  /** Detected once (importing torch takes seconds); `fresh` looks again, e.g. after installing it. */
  available(fresh = false): Promise<BackboneRequirements> {
    if (fresh || !this.requirements) this.requirements = detectBackbone(this.opts.pythons)
    return this.requirements
  }

  status(): FineTune {
    return this.job.current()
  }

  get running(): boolean {
    return RUNNING.includes(this.status().phase)
  }

  private get cancelled(): boolean {
    return this.job.stopping
  }

  private set(next: Partial<FineTune>): void {
    this.job.set(next)
  }

  async start(epochs: number | undefined): Promise<FineTune> {
    if (this.checking) throw new UserError('a fine-tuning run is already going; cancel it first', 409)
    this.job.admit()
    this.checking = true
    const req = await this.available(true).finally(() => (this.checking = false))
    if (!req.available) throw new UserError(`fine-tuning the whole model needs Python with PyTorch: ${req.missing}`, 409)
    const photos = this.host.labelledPhotos()
    const perClass = new Map<string, number>()
    for (const p of photos) perClass.set(p.label, (perClass.get(p.label) ?? 0) + 1)
    trainableClasses(perClass)
    const started = performance.now()
    const seconds = () => (performance.now() - started) / 1000
    this.job.start(
      { phase: 'preparing', epochs: epochs ?? this.opts.epochs ?? 30, message: `decoding ${photos.length} labelled photos` },
      async (ctl) => {
        ctl.onStop(() => this.kill())
        try {
          await this.execute(req.python!, photos)
        } finally {
          this.child = null
        }
        this.set({ seconds: seconds() })
      },
      (err, ctl) => ({ seconds: seconds(), ...(ctl.stopping ? { phase: 'cancelled', message: 'cancelled; nothing changed' } : { phase: 'failed', message: (err as Error).message ?? String(err) }) })
    )
    return this.status()
  }

  /** Resolves when the current run (if any) has ended. */
  idle(): Promise<void> {
    return this.job.idle()
  }

  stop(): FineTune {
    this.job.stop()
    return this.status()
  }

  private kill(): void {
    const child = this.child
    if (child && child.exitCode === null) {
      child.kill('SIGTERM')
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref()
    }
  }

  async close(): Promise<void> {
    this.stop()
    await this.idle()
  }

  private async execute(python: string, photos: LabelledPhoto[]): Promise<void> {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
    const work = dataLayout(this.host.dataDir).temp(`finetune-${stamp}`)
    await mkdir(work, { recursive: true })
    try {
      const { pixels, kept, failed } = await decodeForTraining(photos, this.base.input)
      if (this.cancelled) throw new Error('cancelled')
      await writeFile(join(work, 'labels.json'), JSON.stringify(kept))
      await writeFile(join(work, 'pixels.u8'), pixels)
      const skipped = failed ? ` (${failed} could not be read and are left out)` : ''
      this.set({ phase: 'training', message: `fitting heads on the current model, then fine-tuning on ${kept.length} photos${skipped}` })
      const name = `mrl-finetuned-${stamp}`
      const done = await this.spawnTraining(python, work, name)
      if (this.cancelled) throw new Error('cancelled')
      this.set({ phase: 'importing', message: 'importing the fine-tuned model; search switches to it once every photo is re-embedded' })
      let model: string
      try {
        model = await this.host.importModel(done.onnx, done.card)
      } catch (err) {
        // keep what took minutes to train: it can be imported by hand once the problem is fixed
        const kept = join(dataLayout(this.host.dataDir).finetuned, name)
        await mkdir(dataLayout(this.host.dataDir).finetuned, { recursive: true })
        await rename(join(work, 'out'), kept)
        throw new Error(`the fine-tuned model could not be imported (${(err as Error).message}); it is kept in ${kept}`)
      }
      const gain = this.status().perPrefix.at(-1)! - this.status().before.at(-1)!
      this.set({ phase: 'done', model, message: `${model} imported (held-out accuracy at ${this.base.nesting.at(-1)} dims ${gain >= 0 ? '+' : ''}${(100 * gain).toFixed(1)} points; best epoch ${done.best_epoch})` })
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }

  /** Runs pretrain.finetune and follows its JSON lines; resolves with its `done` event. */
  private spawnTraining(python: string, work: string, name: string): Promise<{ onnx: string; card: string; best_epoch: number }> {
    const args = ['-m', 'pretrain.finetune', '--labels', join(work, 'labels.json'), '--pixels', join(work, 'pixels.u8'), '--out', join(work, 'out'), '--name', name, '--epochs', String(this.status().epochs), '--init', bundledWeights()]
    if (this.opts.threads) args.push('--threads', String(this.opts.threads))
    // the parity check runs onnxruntime-node with this very runtime (Electron's binary acts as node with ELECTRON_RUN_AS_NODE)
    const env = { ...process.env, PYTHONUNBUFFERED: '1', MRL_NODE: process.execPath, ELECTRON_RUN_AS_NODE: '1' }
    const child = spawn(python, args, { cwd: pretrainRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    const pct = (xs: Record<string, number>) => this.base.nesting.map((m) => (xs[String(m)] ?? 0) / 100)
    let stderr = ''
    let failure: string | null = null
    let result: { onnx: string; card: string; best_epoch: number } | null = null
    child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let e: Record<string, any>
      try {
        e = JSON.parse(line)
      } catch {
        return // not a progress line
      }
      if (e.event === 'before') this.set({ before: pct(e.accuracy), perPrefix: pct(e.accuracy), message: 'heads fitted on the current model; fine-tuning the whole network' })
      else if (e.event === 'epoch') {
        this.set({ epoch: e.epoch, epochs: e.epochs, loss: e.loss, perPrefix: pct(e.accuracy), ...(e.best ? { bestEpoch: e.epoch } : {}), message: `epoch ${e.epoch}/${e.epochs}` })
        if (e.epoch === e.epochs) this.set({ phase: 'exporting', message: 'exporting the best epoch to ONNX' })
      } else if (e.event === 'stopped') this.set({ phase: 'exporting', message: `stopped early at epoch ${e.epoch} (${e.reason}); exporting epoch ${e.best_epoch}` })
      else if (e.event === 'done') {
        result = e as typeof result
        this.set({ phase: 'exporting', bestEpoch: e.best_epoch, perPrefix: pct(e.after), message: `exported; onnxruntime agrees with PyTorch to ${e.parity.max_abs_diff.toExponential(1)}` })
      } else if (e.event === 'error') failure = e.message
    })
    return new Promise((done, fail) => {
      child.on('error', (err) => fail(new Error(`could not start ${python}: ${err.message}`)))
      child.on('close', (code, signal) => {
        if (this.cancelled) fail(new Error('cancelled'))
        else if (code === 0 && result) done(result)
        else fail(new Error(`fine-tuning failed: ${failure ?? (stderr.trim().split('\n').slice(-3).join(' ') || `exit ${code ?? signal}`)}`))
      })
    })
  }
}
