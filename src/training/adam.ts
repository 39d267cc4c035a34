// Adam over a list of float32 parameter arrays (the adaptor's weight and bias, the heads).
export class Adam {
  private readonly m: Float32Array[]
  private readonly v: Float32Array[]
  private t = 0

  constructor(
    private readonly params: Float32Array[],
    private readonly lr = 1e-3,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
    private readonly weightDecay = 0
  ) {
    this.m = params.map((p) => new Float32Array(p.length))
    this.v = params.map((p) => new Float32Array(p.length))
  }

  /** One update from gradients aligned with the parameters. */
  step(grads: Float32Array[]): void {
    this.t++
    const c1 = 1 - this.beta1 ** this.t
    const c2 = 1 - this.beta2 ** this.t
    this.params.forEach((p, k) => {
      const g = grads[k]
      const m = this.m[k]
      const v = this.v[k]
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] + this.weightDecay * p[i]
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * gi
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * gi * gi
        p[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + this.eps)
      }
    })
  }
}
