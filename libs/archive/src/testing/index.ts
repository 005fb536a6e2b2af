export { expectedRecordHashes, inspectArchive, type ArchiveInspection } from './archive-inspection';
