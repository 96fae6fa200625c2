/** Placeholder until the bundle harness lands: replaced in the next commit. */
export async function benchFunctionInit(_endpoint: string, _rounds: number): Promise<Array<Record<string, unknown>>> { return []; }
