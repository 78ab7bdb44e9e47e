import { Text } from '@mantine/core';
import { LabelBadge } from '../../components/common';
import { Fragment } from 'react';
import { KIND_COLOR, KIND_LABEL, REQUEST_STATUS_COLOR } from './knowledge-labels';
import { labelOf } from '../../lib/labels';

export function KindBadge({ kind }: { kind: string }) {
  return (
    <LabelBadge color={KIND_COLOR[kind] ?? 'gray'} data-kind={kind}>
      {labelOf(KIND_LABEL, kind, 'Материал')}
    </LabelBadge>
  );
}

export function RequestStatusBadge({ status, label }: { status: string; label: string }) {
  return (
    <LabelBadge color={REQUEST_STATUS_COLOR[status] ?? 'gray'} data-status={status}>
      {label}
    </LabelBadge>
  );
}

/** A search excerpt: the words found are marked «…» by the server; shown in bold. */
export function Excerpt({ text }: { text: string }) {
  const parts = text.split(/(«[^»]*»)/u);
  return (
    <Text size="sm" c="dimmed" lineClamp={3}>
      {parts.map((p, i) =>
        p.startsWith('«') && p.endsWith('»') ? (
          <Text key={i} span fw={600} c="dark">
            {p.slice(1, -1)}
          </Text>
        ) : (
          <Fragment key={i}>{p}</Fragment>
        ),
      )}
    </Text>
  );
}
