/**
 * Errors say whose fault they are and carry a stable code. They are turned into an HTTP status
 * (src/http) or a customer apology (the bot's onTurnError) in exactly one place each.
 */
export type Fault = 'customer' | 'configuration' | 'upstream' | 'bug';

export class CodedError extends Error {
  readonly code: string;
  readonly fault: Fault;
  /** HTTP status the API answers with when this error reaches it. */
  readonly status: number;
  constructor(fault: Fault, code: string, message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.fault = fault;
    this.code = code;
    this.status = status;
  }
}

/** Bad input from a customer or API client: 4xx, shown as is. */
export class InputError extends CodedError {
  constructor(code: string, message: string, status = 400, options?: ErrorOptions) {
    super('customer', code, message, status, options);
  }
}

/** A setting or data file the merchant provided is wrong: stops start-up. */
export class ConfigError extends CodedError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super('configuration', code, message, 500, options);
  }
}

/** A service we depend on failed. */
export class UpstreamError extends CodedError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super('upstream', code, message, 503, options);
  }
}

/**
 * The merchant's order API gave no usable answer: down, too slow, an error status, or an answer
 * that failed validation (wrong shape, another order's id, another customer's order). Never
 * "no such order": callers must not decide anything from it, only hand the customer to people.
 */
export class OrdersUnavailableError extends UpstreamError {
  /** The order asked for, when one was (it goes on the escalation, so people know which). */
  readonly orderId: string | undefined;
  constructor(message: string, details: { orderId?: string } = {}, options?: ErrorOptions) {
    super('orders_unavailable', message, options);
    this.orderId = details.orderId;
  }
}

/** A stale write (eTag mismatch, concurrent transition); the caller may retry. */
export class ConflictError extends CodedError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super('customer', code, message, 409, options);
  }
}

/** Wraps anything thrown into a CodedError; unknown errors are bugs. */
export function asCodedError(error: unknown): CodedError {
  if (error instanceof CodedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CodedError('bug', 'internal_error', message, 500, { cause: error });
}
