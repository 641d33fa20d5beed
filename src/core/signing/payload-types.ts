// The DSSE payloadType of each signed document. An envelope is accepted only
// with exactly the type of the document it is presented for, so a signature
// made for one kind of document (or by another tool) never vouches for another.
export const REPLICATION_MANIFEST_PAYLOAD_TYPE = 'application/vnd.migrationgate.replication-manifest+yaml';
export const MIGRATION_MANIFEST_PAYLOAD_TYPE = 'application/vnd.migrationgate.migration-manifest+json';
