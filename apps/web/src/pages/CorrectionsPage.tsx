import { Stack } from '@mantine/core';
import { PageTitle } from '../components/common';
import { CorrectionsTab } from './admin/CorrectionsTab';

/**
 * The classifier's corrections for a supervisor (issue 17): the administration's tab on a page of its own,
 * the same list the API lets administrators and supervisors read.
 */
export function CorrectionsPage() {
  return (
    <Stack gap="sm">
      <PageTitle
        title="Исправления классификатора"
        subtitle="Темы и маршруты, которые сотрудники исправили после классификатора"
      />
      <CorrectionsTab />
    </Stack>
  );
}
