/**
 * Escalation: an incident no participant has acknowledged within its severity's time is escalated,
 * once per level: level n falls due n times that time after the report. Each escalation notifies
 * the participants again (marked ESCALATED) and the organizations that hold manager keys.
 */
import { recordSystemEvents, updateDue, type Change, type IncidentRecord, type Severity, type TimelineEvent } from './incident';
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

/**
 * What the timer does to an incident now: its escalation when due, and the reminder of an overdue
 * status update (`update_due`, once per due time). Null when nothing is due (or no longer applies).
 */
export function escalate(record: IncidentRecord, now: Date, policy: EscalationPolicy): Change | null {
  const { incident, escalation } = record;
  const events: Array<Omit<TimelineEvent, 'seq'>> = [];
  let next = escalation;
  if (escalation && incident.status !== 'resolved' && incident.acknowledgements.length === 0 && Date.parse(escalation.dueAt) <= now.getTime()) {
    const level = escalation.level + 1;
    next = level < policy.maxLevel ? { level, dueAt: dueAt(incident.reportedAt, incident.severity, level + 1, policy) } : null;
    events.push({
      type: 'escalated',
      at: now.toISOString(),
      actor: systemActor('escalation'),
      data: { level, unacknowledgedSeconds: Math.round((now.getTime() - Date.parse(incident.reportedAt)) / 1000), nextEscalationAt: next?.dueAt ?? null },
    });
  }
  const reminder = updateDue(record, now);
  if (reminder) events.push(reminder);
  if (events.length === 0) return null;
  const change = recordSystemEvents(record, events, next === escalation ? undefined : next);
  return reminder ? { ...change, updateDue: null } : change;
}
