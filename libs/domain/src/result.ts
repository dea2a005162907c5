/**
 * What a decide function returns: the decision, or the domain error that refused the command.
 * Refusals are values, not exceptions, so a handler maps them to Problem Details in one place
 * (see `HTTP_STATUS_OF`) and a test can compare them with `toEqual`.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });
