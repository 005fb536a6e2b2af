import schema from './archive-record.v1.schema.json';

/** JSON Schema (draft 2020-12) of archive records, schema version 1: what a sink may validate stored records against. */
export const ARCHIVE_RECORD_JSON_SCHEMA: Readonly<Record<string, unknown>> = schema;
