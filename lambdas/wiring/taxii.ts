/**
 * The TAXII service (integrations/taxii-service.ts) wired on the incident use cases, the directory,
 * the status store and the signing secret (read on first use: the STIX export signs nothing). Only
 * the TAXII functions and the STIX export bundle it.
 */
import { DynamoTaxiiStatusStore } from '../adapters/dynamodb/taxii-status-store';
import { ENV, required } from '../config/env';
import { PARSE } from '../http/parse-options';
import { fieldErrors } from '../http/request';
import { ReportIncidentBody } from '../http/schemas';
import { makeTaxiiService } from '../integrations/taxii-service';
import { derived } from './adapters';
import { container } from './incidents';
import { cursors } from './secrets';

export const taxiiService = /* @__PURE__ */ derived(async (a) => makeTaxiiService({
  incidents: (await container()).incidents,
  directory: a.directoryRepository,
  statuses: new DynamoTaxiiStatusStore(a.db, a.config.tableName),
  cursors,
  baseUrl: () => required(a.config, 'publicBaseUrl', ENV.publicBaseUrl),
  checkReport: (input) => {
    const checked = ReportIncidentBody.safeParse(input, PARSE);
    return checked.success
      ? { ok: true, input: checked.data }
      : { ok: false, reason: fieldErrors(checked.error, 'incident').map((e) => `${e.path}: ${e.message}`).join('; ').slice(0, 1000) };
  },
}));
