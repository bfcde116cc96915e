import { CodedError, InputError } from '../errors.ts';

/** `InputError` `case_not_found` (404): the case id names no stored case. */
export function caseNotFound(caseId: string): InputError {
  return new InputError('case_not_found', `No refund case ${caseId}`, 404);
}

/** An audit event handed in for another case than the one being written: a caller bug. */
export function auditCaseMismatch(caseId: string, eventCaseId: string): CodedError {
  return new CodedError('bug', 'audit_case_mismatch', `Audit event for ${eventCaseId} given with case ${caseId}`, 500);
}
