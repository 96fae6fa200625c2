/**
 * Reads that note when they are asked and when they answer (5 ms later), so a test can tell reads
 * made at once (each asked before any answers) from reads made one after another.
 */
export function loggedReads(log: string[]) {
  /** `answer` as a read named `what`: logs "<what> asked", waits 5 ms, logs "<what> answered". */
  return <T>(what: string, answer: () => T | Promise<T>) => async (): Promise<T> => {
    log.push(`${what} asked`);
    await new Promise((r) => setTimeout(r, 5));
    log.push(`${what} answered`);
    return answer();
  };
}
