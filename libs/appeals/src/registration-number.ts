/**
 * A human-readable, per-year registration number: "2026-000123" (at least six digits). The registrar
 * builds the same format in SQL, in the statement that takes the number from the year's sequence.
 */
export function formatRegistrationNumber(year: number, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, '0')}`;
}

const PATTERN = /^(\d{4})-(\d{6,})$/;

export function isRegistrationNumber(value: string): boolean {
  return PATTERN.test(value);
}
