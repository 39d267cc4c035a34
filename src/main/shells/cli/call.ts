// What every command uses: an engine on the data folder, and API calls through the one validating
// dispatcher (rpc.ts), typed by the contract.
import { InvalidArgumentError, type Command } from 'commander'
import type { Input, Method, Output } from '../../../shared/api'
import { Engine } from '../../app/engine'
import { createRpc } from '../rpc'

export const number = (v: string): number => {
  const n = Number(v)
  if (!Number.isFinite(n)) throw new InvalidArgumentError('not a number')
  return n
}

/** The data folder the program was given (--data, or the shared default). */
export const dataDir = (program: Command): string => program.opts<{ data: string }>().data

/** resume: go on with an interrupted model switch (commands that change the library or the model do). */
export async function withEngine<T>(program: Command, fn: (engine: Engine) => Promise<T>, resume = false): Promise<T> {
  const engine = await Engine.open({ dataDir: dataDir(program), resume })
  try {
    return await fn(engine)
  } finally {
    await engine.close()
  }
}

/** One API call through the same validation as the app; prints the error and exits 1 on failure. */
export async function call<M extends Method>(engine: Engine, method: M, input: Input<M>): Promise<Output<M>> {
  const out = await createRpc(engine)(method, input)
  if (out.status !== 200) {
    console.error(`error: ${(out.body as { error: string }).error}`)
    process.exit(1)
  }
  return out.body as Output<M> // the handlers are typed by the contract (ApiHandlers)
}
