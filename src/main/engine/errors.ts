/** An error the user caused and can fix: the shells answer it with a 4xx and its message. */
export class UserError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message)
  }
}
