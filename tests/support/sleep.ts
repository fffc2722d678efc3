/** Resolves after `ms`: for letting time pass (a lease, a window), not for waiting on an event (poll for that). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
