/** The correlation: bundled only by its stream consumer. */
import { makeCorrelator } from '../domain/correlation';
import { container } from './incidents';
import { derived } from './adapters';

export const correlation = derived(async ({ clock, incidentRepository, observableIndex }) => {
  const { incidents } = await container();
  return {
    correlator: makeCorrelator({ index: observableIndex, repository: incidentRepository, recordSystemEvents: incidents.recordSystemEvents, clock }),
  };
});
