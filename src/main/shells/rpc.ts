// The one dispatcher both shells use: validate the input against the shared schema, call the
// engine, map errors to a status and a message.
import { z } from 'zod'
import { api, isMethod, type Method } from '../../shared/api'
import type { Engine } from '../app/engine'
import { UserError } from '../../shared/errors'

export interface RpcResult {
  status: number
  body: unknown
}

type Handlers = { [M in Method]: (input: z.infer<(typeof api)[M]['input']>) => Promise<unknown> }

function handlers(engine: Engine): Handlers {
  return {
    status: () => engine.status(),
    addFolder: (i) => engine.addFolder(i),
    removeFolder: (i) => engine.removeFolder(i),
    reindex: () => engine.reindex(),
    listPhotos: (i) => engine.listPhotos(i),
    getPhoto: (i) => engine.getPhoto(i),
    search: (i) => engine.search(i),
    skipped: () => engine.skipped(),
    labels: () => engine.labels(),
    createLabel: (i) => engine.createLabel(i),
    renameLabel: (i) => engine.renameLabel(i),
    deleteLabel: (i) => engine.deleteLabel(i),
    assignLabel: (i) => engine.assignLabel(i),
    train: (i) => engine.train(i),
    training: () => engine.training(),
    cancelTraining: () => engine.cancelTraining(),
    backbone: (i) => engine.backbone(i),
    trainBackbone: (i) => engine.trainBackbone(i),
    cancelBackbone: () => engine.cancelBackbone(),
    adaptors: () => engine.adaptors(),
    useAdaptor: (i) => engine.useAdaptor(i),
    suggestions: (i) => engine.suggestions(i),
    models: () => engine.models(),
    importModel: (i) => engine.importModel(i),
    useModel: (i) => engine.useModel(i),
    cancelModelSwitch: () => engine.cancelModelSwitch()
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')
}

export function createRpc(engine: Engine): (method: string, input: unknown) => Promise<RpcResult> {
  const table = handlers(engine)
  return async (method, input) => {
    if (!isMethod(method)) return { status: 404, body: { error: `unknown method "${method}"` } }
    const parsed = api[method].input.safeParse(input ?? {})
    if (!parsed.success) return { status: 400, body: { error: `invalid input: ${describe(parsed.error)}` } }
    try {
      const handler = table[method] as (input: unknown) => Promise<unknown>
      return { status: 200, body: await handler(parsed.data) }
    } catch (err) {
      if (err instanceof UserError) return { status: err.status, body: { error: err.message } }
      console.error(`[${method}]`, err)
      return { status: 500, body: { error: `internal error: ${(err as Error).message ?? err}` } }
    }
  }
}
