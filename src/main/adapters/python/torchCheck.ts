// Can this machine fine-tune the whole model? Python 3 with PyTorch (and numpy, Pillow, onnx), the
// training code (pretrain/) and the bundled model, whose ONNX initializers are the starting
// weights (pretrain/finetune.py derives the PyTorch state dict from them); if not, what is missing.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { BackboneRequirements } from '../../../shared/api'
import { BUNDLED_MODEL, resourcesDir } from '../models/modelCard'

/** Where the PyTorch side is looked for: MRL_PYTHON alone when set, else Debian's interpreter, then `python3` on PATH. */
export function defaultPythons(): string[] {
  return process.env.MRL_PYTHON ? [process.env.MRL_PYTHON] : ['/usr/bin/python3', 'python3']
}

/** The source tree that holds pretrain/ (resources/ is beside it). */
export function pretrainRoot(): string {
  return resolve(resourcesDir(), '..')
}

/** The starting point of fine-tuning: the bundled ONNX (its card beside it gives the architecture). */
export function bundledWeights(): string {
  return join(resourcesDir(), 'models', `${BUNDLED_MODEL}.onnx`)
}

const MIN_TORCH: [number, number] = [1, 13]
const MIN_PYTHON: [number, number] = [3, 8]
const PROBE = `import json, sys
r = {"python": sys.version.split()[0], "errors": {}}
for mod in ("torch", "numpy", "PIL", "onnx"):
    try:
        r[mod] = __import__(mod).__version__
    except Exception as e:
        r[mod] = None
        r["errors"][mod] = f"{type(e).__name__}: {e}"
print(json.dumps(r))`

interface Probe {
  python: string
  torch: string | null
  numpy: string | null
  PIL: string | null
  onnx: string | null
  errors: Record<string, string>
}

function runProbe(python: string): Promise<Probe | null> {
  return new Promise((done) => {
    let out = ''
    const child = spawn(python, ['-c', PROBE], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 })
    child.stdout.on('data', (d) => (out += d))
    child.on('error', () => done(null)) // not there, or not executable
    child.on('close', () => {
      try {
        done(JSON.parse(out) as Probe)
      } catch {
        done(null)
      }
    })
  })
}

const older = (version: string, [major, minor]: [number, number]) => {
  const [a, b] = version.split('.').map((x) => parseInt(x, 10))
  return a < major || (a === major && b < minor)
}

/** Why this interpreter cannot fine-tune, or null when it can. */
function problem(python: string, p: Probe): string | null {
  const where = `Python ${p.python} (${python})`
  if (older(p.python, MIN_PYTHON)) return `${where} is too old: fine-tuning needs Python ${MIN_PYTHON.join('.')} or newer`
  if (!p.torch) return `PyTorch is not installed for ${where}: ${p.errors.torch}. Install it (python3 -m pip install torch, or apt install python3-torch) or set MRL_PYTHON to a Python that has it`
  if (older(p.torch, MIN_TORCH)) return `PyTorch ${p.torch} for ${where} is too old: fine-tuning needs ${MIN_TORCH.join('.')} or newer`
  for (const [mod, pkg, apt] of [['numpy', 'numpy', 'python3-numpy'], ['PIL', 'Pillow', 'python3-pil'], ['onnx', 'onnx', 'python3-onnx']] as const) {
    if (!p[mod]) return `${pkg} is not installed for ${where}: ${p.errors[mod]}. Install it (python3 -m pip install ${pkg}, or apt install ${apt})`
  }
  return null
}

/**
 * Can this machine fine-tune the whole model? The first interpreter that has everything wins;
 * otherwise the answer names what is missing, from the interpreter that got furthest.
 */
export async function detectBackbone(pythons = defaultPythons(), root = pretrainRoot()): Promise<BackboneRequirements> {
  const none = { available: false, python: null, pythonVersion: null, torch: null }
  if (!existsSync(join(root, 'pretrain', 'finetune.py'))) return { ...none, missing: `the PyTorch training code (pretrain/) is not beside ${resourcesDir()}: fine-tuning runs from a source checkout` }
  if (!existsSync(bundledWeights())) return { ...none, missing: `the bundled model is missing (${bundledWeights()})` }
  let best: BackboneRequirements | null = null
  for (const python of pythons) {
    const p = await runProbe(python)
    if (!p) continue
    const missing = problem(python, p)
    const found = { available: missing === null, python, pythonVersion: p.python, torch: p.torch, missing }
    if (!missing) return found
    best ??= found
  }
  return best ?? { ...none, missing: `no Python 3 found (looked for ${pythons.join(', ')}); install Python 3 with PyTorch, or set MRL_PYTHON to one` }
}
