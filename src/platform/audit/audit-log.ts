// The AuditLog port: who did what to which resource, with what outcome. Rows are written to
// the database (table `audit_log`); storage operations and SAS issuance record here.

export interface AuditEntry {
  /** Principal id, or null for an anonymous caller. */
  actor: string | null;
  clientIp: string | null;
  /** e.g. `blob.upload`, `blob.download`, `blob.delete`, `blob.sas`. */
  operation: string;
  /** The resource, e.g. `blob://container/name`. */
  target: string;
  outcome: 'success' | 'failure' | 'denied';
  bytes: number | null;
  correlationId: string | null;
  /** Free text for failures and extra facts (SAS permissions, expiry); never a secret. */
  detail: string | null;
  at: Date;
}

export interface AuditRecordOptions {
  /**
   * @deprecated Ignored. It let a record wait up to a second for others, and a crash lost what
   * waited; every record is now written with those of the same event-loop turn, and the caller
   * acknowledges only after it resolves.
   */
  lazy?: boolean;
}

export interface AuditLog {
  /** Resolves once the entry is written (committed): acknowledge what it records only after that. */
  record(entry: AuditEntry, options?: AuditRecordOptions): Promise<void>;
}

/** Reads the log back, newest first (the console's Operations page, for admins). */
export interface AuditLogReader {
  latest(limit: number): Promise<(AuditEntry & { id: string })[]>;
}
