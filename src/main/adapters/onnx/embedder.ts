// The model in onnxruntime-node: GPU execution providers where the machine has them, CPU otherwise.
import * as ort from 'onnxruntime-node'
import type { Model } from '../models/modelCard'

export interface EmbedOutput {
  /** n x d, row-major, not normalised */
  embeddings: Float32Array
  /** per prefix of the nesting list: n x classes */
  logits: Float32Array[]
}

/** Providers to try in order; CPU is always last and always works. */
export function executionProviders(): string[] {
  const wanted = process.env.MRL_EXECUTION_PROVIDER
  if (wanted) return [wanted, 'cpu']
  const bundled = new Set(ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name))
  const gpu = process.platform === 'win32' ? ['dml'] : process.platform === 'darwin' ? ['coreml'] : ['cuda']
  return [...gpu.filter((p) => bundled.has(p)), 'cpu']
}

export class Embedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly model: Model,
    readonly provider: string
  ) {}

  static async create(model: Model, threads?: number): Promise<Embedder> {
    let lastError: unknown
    for (const provider of executionProviders()) {
      try {
        const session = await ort.InferenceSession.create(model.onnxPath, {
          executionProviders: [provider],
          intraOpNumThreads: threads ?? 0,
          graphOptimizationLevel: 'all',
          extra: { session: { intra_op: { allow_spinning: process.env.MRL_ORT_SPIN ?? '1' } } }
        })
        return new Embedder(session, model, provider)
      } catch (err) {
        lastError = err
      }
    }
    throw new Error(`cannot load ${model.onnxPath}: ${String(lastError)}`)
  }

  get inputSize(): number {
    return this.model.card.input.size
  }

  async run(batch: Float32Array, n: number): Promise<EmbedOutput> {
    const { card } = this.model
    const s = card.input.size
    const shape = card.input.layout === 'NHWC' ? [n, s, s, 3] : [n, 3, s, s]
    const out = await this.session.run({ [card.input.name]: new ort.Tensor('float32', batch.subarray(0, n * 3 * s * s), shape) })
    const logits = card.nesting
      .map((m) => card.outputs.logits[String(m)])
      .filter((name): name is string => Boolean(name && out[name]))
      .map((name) => out[name].data as Float32Array)
    return { embeddings: out[card.outputs.embedding].data as Float32Array, logits }
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}
