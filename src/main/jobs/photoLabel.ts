// A photo's label from the model's logits: the cascade stops at the smallest confident prefix.
import { cascade } from '../../core/mrl'
import type { Model } from '../adapters/models/modelCard'
import { modelId } from '../adapters/models/registry'

export function photoLabel(model: Model, logits: Float32Array[] | number[][], threshold: number): { label: string; label_conf: number; label_dims: number; model: string } {
  const { card } = model
  const l = logits.length ? cascade(logits, card.nesting, threshold) : { classIndex: -1, confidence: 0, dims: 0 }
  return { label: card.classes[l.classIndex] ?? '', label_conf: l.confidence, label_dims: l.dims, model: modelId(card) }
}
