/** Where services read the time: the system's, unless a test hands them a fixed or moving one. */
export type Clock = () => Date;

/** The time by the given clock, or the system's when there is none. */
export const nowOf = (deps: { now?: Clock | undefined }): Date => (deps.now ? deps.now() : new Date());
