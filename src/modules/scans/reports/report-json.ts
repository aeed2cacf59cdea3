// report.json: the report model, checked against its schema before it is written.
import Value from 'typebox/value';
import { RiskReportSchema, type RiskReport } from './risk-report.js';

export function renderReportJson(report: RiskReport): Buffer {
  if (!Value.Check(RiskReportSchema, report)) {
    const [first] = Value.Errors(RiskReportSchema, report);
    throw new Error(
      `report does not match its schema at ${first?.instancePath ?? '/'}: ${first?.message ?? ''}`,
    );
  }
  return Buffer.from(JSON.stringify(report, null, 2));
}
