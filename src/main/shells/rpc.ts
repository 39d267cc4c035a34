// The one dispatcher every shell uses: validate the input against the shared schema, call the
// engine's handler for the method, map errors to a status and a message.
import type { z } from 'zod'
import { api, isMethod, type ApiHandlers } from '../../shared/api'
import { UserError } from '../../shared/errors'

export interface RpcResult {
  status: number
  body: unknown
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')
}

export function createRpc(engine: { handlers: ApiHandlers }): (method: string, input: unknown) => Promise<RpcResult> {
  const table = engine.handlers
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
