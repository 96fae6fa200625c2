/**
 * How every parse words a missing field: "is required", rather than zod's "expected string,
 * received undefined". Passed to each `safeParse` (zod's per-parse error map) instead of set with
 * `z.config`, so a function whose route validates nothing need not load zod at all.
 */
export const PARSE = {
  error: (issue: { code: string; input?: unknown }) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
} as const;
