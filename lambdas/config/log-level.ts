/** `CONCORD_LOG_LEVEL=silent` (tests) silences logs and metric lines; read at each write, so tests may set it late. */
export const LOG_LEVEL = 'CONCORD_LOG_LEVEL';

export const logsSilenced = (): boolean => process.env[LOG_LEVEL] === 'silent';
