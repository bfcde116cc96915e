import { CodedError } from '../errors.ts';

/** The longest customer id a turn may link (the orders file's ids are short). */
const MAX_CUSTOMER_ID = 200;

/**
 * The customer ids of a turn commit (`TurnCommit.customers`), checked and without repeats. A bad
 * value is a bug in the caller and fails the commit before anything is written.
 */
export function customerLinks(conversationId: string, customers: unknown): string[] {
  if (customers === undefined) return [];
  if (!Array.isArray(customers)) throw invalid(conversationId, 'customers must be a list');
  for (const id of customers) {
    if (typeof id !== 'string' || id === '' || id.length > MAX_CUSTOMER_ID) {
      throw invalid(conversationId, `a customer id must be a non-empty text of at most ${MAX_CUSTOMER_ID} characters`);
    }
  }
  return [...new Set(customers as string[])];
}

function invalid(conversationId: string, problem: string): CodedError {
  return new CodedError('bug', 'invalid_turn_commit', `The turn of ${conversationId}: ${problem}`, 500);
}
