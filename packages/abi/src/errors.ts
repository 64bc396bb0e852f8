// The one error taxonomy of AIOS, from kernel to CLI exit code to HTTP status.
// Every failing syscall throws an AiosError; a broken kernel invariant is a
// panic (KernelPanic in the kernel), never one of these codes.

/** Categories group codes so callers (and the CLI's exit codes) can react by class. */
export type ErrorCategory = 'access' | 'argument' | 'resource' | 'lookup' | 'time' | 'state' | 'io';

export interface ErrorCodeInfo {
  readonly errno: number;
  readonly category: ErrorCategory;
  /** One line that explains the code to a person. */
  readonly summary: string;
}

/** The table of codes. errno values are stable wire numbers; never renumber. */
export const ERROR_CODES = {
  EPERM: { errno: 1, category: 'access', summary: 'missing capability or right on the handle' },
  EACCES: { errno: 13, category: 'access', summary: 'denied by policy' },
  EINVAL: { errno: 22, category: 'argument', summary: 'invalid argument' },
  EBADF: { errno: 9, category: 'argument', summary: 'bad handle: unknown, closed, revoked or of the wrong type' },
  EFAULT: { errno: 14, category: 'argument', summary: 'address not mapped or access not permitted' },
  EMSGSIZE: { errno: 90, category: 'argument', summary: 'message or argument too large' },
  EAGAIN: { errno: 11, category: 'resource', summary: 'would block: queue full, queue empty or not ready yet' },
  ENOMEM: { errno: 12, category: 'resource', summary: 'out of memory: no free frames or address space' },
  EQUOTA: { errno: 122, category: 'resource', summary: 'quota exceeded' },
  EBUSY: { errno: 16, category: 'resource', summary: 'resource busy' },
  EEXIST: { errno: 17, category: 'state', summary: 'already exists (or already mapped)' },
  ECONFLICT: { errno: 180, category: 'state', summary: 'compare-and-set conflict: the version changed' },
  ESRCH: { errno: 3, category: 'lookup', summary: 'no such agent' },
  ENOENT: { errno: 2, category: 'lookup', summary: 'no such object or name' },
  ENOSYS: { errno: 38, category: 'lookup', summary: 'no such syscall or operation' },
  ENOROUTE: { errno: 181, category: 'lookup', summary: 'no agent matches the semantic request' },
  ETIMEDOUT: { errno: 110, category: 'time', summary: 'timed out' },
  ECANCELED: { errno: 125, category: 'time', summary: 'operation canceled' },
  EIO: { errno: 5, category: 'io', summary: 'device or driver failed' },
  ENODEV: { errno: 19, category: 'io', summary: 'device unplugged, or its driver speaks an interface version the caller does not support' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Process exit code of the CLI for each category (0 is success, 1 an unexpected error, 2 a usage error). */
export const EXIT_CODE_BY_CATEGORY: Record<ErrorCategory, number> = {
  access: 3,
  argument: 4,
  resource: 5,
  lookup: 6,
  time: 7,
  state: 8,
  io: 9,
};

/** HTTP status of the node's API for each code. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  EPERM: 403, EACCES: 403, EINVAL: 400, EBADF: 400, EFAULT: 400, EMSGSIZE: 413, EAGAIN: 503,
  ENOMEM: 507, EQUOTA: 429, EBUSY: 409, EEXIST: 409, ECONFLICT: 409, ESRCH: 404, ENOENT: 404,
  ENOSYS: 501, ENOROUTE: 404, ETIMEDOUT: 504, ECANCELED: 499, EIO: 502, ENODEV: 503,
};

/** Structured detail: which argument, which range, which resource. Always JSON-serialisable. */
export type ErrorDetail = Record<string, unknown>;

export interface AiosErrorJSON {
  code: ErrorCode;
  errno: number;
  message: string;
  detail?: ErrorDetail;
}

export class AiosError extends Error {
  readonly code: ErrorCode;
  readonly errno: number;
  readonly category: ErrorCategory;
  readonly detail: ErrorDetail | undefined;

  constructor(code: ErrorCode, message?: string, detail?: ErrorDetail, options?: { cause?: unknown }) {
    const info = ERROR_CODES[code];
    // EAGAIN is flow control ("try later"), thrown on hot paths: skip the stack capture.
    const limit = Error.stackTraceLimit;
    if (code === 'EAGAIN') Error.stackTraceLimit = 0;
    super(message ?? info.summary, options);
    Error.stackTraceLimit = limit;
    this.name = 'AiosError';
    this.code = code;
    this.errno = info.errno;
    this.category = info.category;
    this.detail = detail;
  }

  toJSON(): AiosErrorJSON {
    const out: AiosErrorJSON = { code: this.code, errno: this.errno, message: this.message };
    if (this.detail !== undefined) out.detail = this.detail;
    return out;
  }

  /** Rebuilds an error that crossed a boundary (sandbox, HTTP, worker) as JSON. */
  static fromJSON(json: { code: string; message?: string; detail?: ErrorDetail }): AiosError {
    const code = isErrorCode(json.code) ? json.code : 'EIO';
    return new AiosError(code, json.message, json.detail);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function isAiosError(value: unknown): value is AiosError {
  return value instanceof AiosError || (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'AiosError' && isErrorCode((value as { code?: unknown }).code));
}

/** Shorthand used by the kernel's argument checks. */
export function einval(message: string, detail?: ErrorDetail): AiosError {
  return new AiosError('EINVAL', message, detail);
}

/**
 * True when `e` carries error code `code` (an AiosError, or any thrown object with that `code`, e.g. one rebuilt
 * from a wire or a Node error): the one way to branch on a caught error's code.
 */
export function hasCode(e: unknown, code: ErrorCode | (string & {})): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}
