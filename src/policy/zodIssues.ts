import type { z } from 'zod';

/**
 * One zod issue as `field.path: what is wrong`, the form configuration errors use so a merchant
 * can find the bad field. zod's "Invalid input: " prefix is dropped as noise.
 */
export function formatIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  const message = issue.message.replace(/^Invalid input: /, '');
  return path === '' ? message : `${path}: ${message}`;
}
