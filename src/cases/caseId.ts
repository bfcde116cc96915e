import { randomInt } from 'node:crypto';

/**
 * Characters of case ids: digits and capitals without 0/O, 1/I/L, so an id read over the phone
 * or copied from a screenshot cannot be mistyped into another valid id.
 */
export const CASE_ID_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

const RANDOM_LENGTH = 6;

/** Pattern of every case id: `RF-` and six alphabet characters (31^6 ≈ 887 million ids). */
export const CASE_ID_PATTERN = /^RF-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/;

/** A new random case id such as `RF-7KQ2XM` (crypto-random, uniformly distributed). */
export function newCaseId(): string {
  let id = 'RF-';
  for (let index = 0; index < RANDOM_LENGTH; index++) {
    // randomInt draws without modulo bias.
    id += CASE_ID_ALPHABET[randomInt(CASE_ID_ALPHABET.length)];
  }
  return id;
}
