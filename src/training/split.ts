// Held-out split by class, so every class is both trained on and checked (when it has 2+ photos).
import { rng, shuffle } from './linalg'

export function stratifiedSplit(labels: ArrayLike<number>, holdout: number, seed: number): { train: number[]; val: number[] } {
  const byClass = new Map<number, number[]>()
  for (let i = 0; i < labels.length; i++) byClass.set(labels[i], [...(byClass.get(labels[i]) ?? []), i])
  const random = rng(seed)
  const train: number[] = []
  const val: number[] = []
  for (const idx of byClass.values()) {
    shuffle(idx, random)
    const k = idx.length < 2 ? 0 : Math.max(1, Math.round(idx.length * holdout))
    val.push(...idx.slice(0, k))
    train.push(...idx.slice(k))
  }
  return { train: shuffle(train, random), val }
}
