/**
 * Rejected promises that remember whether anything observed them (then/catch, await, Promise.all).
 * Jest keeps process-level unhandled rejections from a test, and Lambda's Node crashes on one: a
 * test hands these to the code under test, then checks every one was observed.
 */
export class Watched<T> extends Promise<T> {
  observed = false;
  static override get [Symbol.species]() { return Promise; }
  override then<A = T, B = never>(ok?: ((v: T) => A | PromiseLike<A>) | null, ko?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.observed = true;
    return super.then(ok, ko);
  }
}

/** A promise rejected with `message`, kept in `made` to be checked. */
export function failing<T>(message: string, made: Array<Watched<unknown>>): Promise<T> {
  const p = new Watched<T>((_, reject) => reject(new Error(message)));
  made.push(p as Watched<unknown>);
  return p;
}
