/**
 * Escalation: an incident no participant has acknowledged within its severity's time is escalated,
 * once per level: level n falls due n times that time after the report. Each escalation notifies
 * the participants again (marked ESCALATED) and the organizations that hold manager keys.
 */
import { recordSystemEvents, type Change, type IncidentRecord, type Severity } from './incident';
import { systemActor } from './actor';

export interface EscalationPolicy {
  /** Seconds without any acknowledgement before each level, by severity. */
  afterSeconds: Record<Severity, number>;
  /** How many times an incident is escalated at most. */
  maxLevel: number;
}

export const DEFAULT_ESCALATION: EscalationPolicy = {
  afterSeconds: { critical: 5 * 60, high: 15 * 60, medium: 60 * 60, low: 240 * 60 },
  maxLevel: 3,
};

export function dueAt(reportedAt: string, severity: Severity, level: number, policy: EscalationPolicy): string {
  return new Date(Date.parse(reportedAt) + level * policy.afterSeconds[severity] * 1000).toISOString();
}

/** The escalation due now, or null when it is not due (or no longer applies). */
export function escalate(record: IncidentRecord, now: Date, policy: EscalationPolicy): Change | null {
  const { incident, escalation } = record;
  if (!escalation || incident.status === 'resolved' || incident.acknowledgements.length > 0) return null;
  if (Date.parse(escalation.dueAt) > now.getTime()) return null;
  const level = escalation.level + 1;
  const next = level < policy.maxLevel ? { level, dueAt: dueAt(incident.reportedAt, incident.severity, level + 1, policy) } : null;
  return recordSystemEvents(record, [{
    type: 'escalated',
    at: now.toISOString(),
    actor: systemActor('escalation'),
    data: { level, unacknowledgedSeconds: Math.round((now.getTime() - Date.parse(incident.reportedAt)) / 1000), nextEscalationAt: next?.dueAt ?? null },
  }], next);
}
