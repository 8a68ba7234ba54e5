/** An operator-facing failure of posta-server: printed as one line, no stack, then exit with `exitCode`. */
export class PostaError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
