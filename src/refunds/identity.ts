import type { Order } from '../domain/order.ts';
import type { Entities } from '../understanding/types.ts';

/** Minimum phone digits accepted as proof: the last 4 (SPEC §5). */
const MIN_PHONE_DIGITS = 4;

const digits = (text: string) => text.replace(/\D/g, '');

/**
 * Whether what the customer gave proves they own the order (SPEC §5): the order's email
 * (case-insensitive) or its phone number, whole or the last 4 digits or more.
 */
export function provesOwnership(order: Order, given: Pick<Entities, 'emails' | 'phones' | 'phoneTails'>): boolean {
  const email = order.customer.email?.trim().toLowerCase();
  if (email && given.emails.some((candidate) => candidate.trim().toLowerCase() === email)) return true;
  const phone = order.customer.phone ? digits(order.customer.phone) : '';
  if (!phone) return false;
  return [...given.phones, ...given.phoneTails].some((candidate) => {
    const tail = digits(candidate);
    if (tail.length < MIN_PHONE_DIGITS) return false;
    // A national number given for an E.164 one: "13800000000" proves "+8613800000000".
    return phone.endsWith(tail);
  });
}

/** Whether the message offered anything that looks like identity proof at all. */
export function offersIdentity(given: Pick<Entities, 'emails' | 'phones' | 'phoneTails'>): boolean {
  return given.emails.length + given.phones.length + given.phoneTails.length > 0;
}
