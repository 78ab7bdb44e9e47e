/** A human-readable, per-year registration number: "2026-000123". */
export function formatRegistrationNumber(year: number, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, '0')}`;
}

const PATTERN = /^(\d{4})-(\d{6,})$/;

export function isRegistrationNumber(value: string): boolean {
  return PATTERN.test(value);
}
