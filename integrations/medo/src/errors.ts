import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';

/** Why a package went to quarantine. Stable codes for dashboards; the texts go into `<name>.reason.txt`. */
export type MedoRejectCode =
  | 'not-a-package'
  | 'missing-passport'
  | 'bad-xml'
  | 'bad-encoding'
  | 'unknown-version'
  | 'unknown-type'
  | 'missing-field'
  | 'too-large'
  | 'too-many-files'
  | 'zip-bomb'
  | 'path-traversal'
  | 'bad-zip'
  | 'encrypted'
  | 'symlink';

/**
 * A package the connector cannot read. Thrown inside the package pipeline only: `pull` catches it,
 * moves the package to quarantine and reports it; it never leaves the connector.
 */
export class PackageRejected extends Error {
  constructor(
    readonly code: MedoRejectCode,
    /** English, for logs and the structural `rejected` list. Never carries document content. */
    readonly reason: string,
    /** Russian, for the operator who opens the quarantine folder. */
    readonly reasonRu: string,
    readonly externalId?: string,
  ) {
    super(`${code}: ${reason}`);
    this.name = 'PackageRejected';
  }

  withExternalId(externalId: string | undefined): PackageRejected {
    return externalId && !this.externalId
      ? new PackageRejected(this.code, this.reason, this.reasonRu, externalId)
      : this;
  }
}

/** Errors of the exchange folders (a share that is not mounted, a permission problem) as ConnectorErrors. */
export function fsError(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  // A permission problem does not heal by retrying: like HTTP 403, the account needs an administrator.
  if (code === 'EACCES' || code === 'EPERM') {
    return new ConnectorError(ConnectorErrorCode.AuthFailed, `МЭДО: no access to ${what} (${code})`);
  }
  return new ConnectorError(
    ConnectorErrorCode.Temporary,
    `МЭДО: ${what} is not available (${code ?? 'error'})`,
  );
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}
