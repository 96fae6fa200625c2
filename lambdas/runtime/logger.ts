/**
 * Structured logs, one JSON object per line, with the request id: what CloudWatch Logs Insights
 * queries expect. Deliberately tiny; error causes are logged here and never sent to a client.
 */
import { logsSilenced } from '../config/log-level';

type Level = 'info' | 'warn' | 'error';

function write(level: Level, message: string, fields: Record<string, unknown>): void {
  if (logsSilenced()) return;
  const line = JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields }, (_k, v) =>
    v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v);
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

export const logger = {
  info: (message: string, fields: Record<string, unknown> = {}) => write('info', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('warn', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('error', message, fields),
};
