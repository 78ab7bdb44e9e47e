export { REPORT_GROUPS, type ReportGroupBy } from './reports.repository';
export * from './reports.service';
export * from './reports.module';
