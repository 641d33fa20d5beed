// The CLI's exit codes, one meaning each, so a pipeline can tell "the gate
// said no" (1: fix the input) from "you called it wrong" (2: fix the job)
// from "the gate could not answer" (3: retry or page someone). README
// "CLI" lists the same table; test/integration/cli-*.test.ts pins every row.
export const EXIT = {
  /** ALLOW; chain intact; every policy test passed; lint clean. */
  ok: 0,
  /** BLOCK; chain broken; a policy test failed; lint errors. */
  negative: 1,
  /** Usage error, unreadable input file, or the server refused the credentials (401/403) or the request (400). */
  usage: 2,
  /** The server could not be reached, timed out, or failed (5xx or an answer that is not the API's). */
  unavailable: 3,
} as const;

export const EXIT_CODE_TABLE: ReadonlyArray<readonly [number, string]> = [
  [EXIT.ok, 'ALLOW / audit chain intact / all policy tests passed / lint clean'],
  [EXIT.negative, 'BLOCK / audit chain broken / a policy test failed / lint errors'],
  [
    EXIT.usage,
    'usage error, unreadable input, or the server refused the token (401/403) or the request (400)',
  ],
  [EXIT.unavailable, "the server could not be reached or failed (network error, 5xx, not the gate's API)"],
];

/** An error that ends the command with `exitCode` and a message on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.usage, true);
