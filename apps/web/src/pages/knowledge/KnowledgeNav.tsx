import { Button, Group, Tabs } from '@mantine/core';
import { type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { PageTitle } from '../../components/common';

const TABS = [
  { value: '/knowledge', label: 'Статьи и поиск' },
  { value: '/knowledge/requests', label: 'Запросы на изменение' },
  { value: '/knowledge/reviews', label: 'Актуализация разделов' },
];

/** The knowledge base's pages as tabs. */
export function KnowledgeNav() {
  const location = useLocation();
  const navigate = useNavigate();
  const current =
    TABS.slice()
      .reverse()
      .find((t) => location.pathname.startsWith(t.value))?.value ?? '/knowledge';
  return (
    <Tabs value={current} onChange={(v) => v && navigate(v)} mb="xs">
      <Tabs.List>
        {TABS.map((t) => (
          // The tabs lead to pages, not panels: each controls the page's main area (the shell's <main>), not a
          // panel id that is not there.
          <Tabs.Tab key={t.value} value={t.value} aria-controls="main-content">
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}

/**
 * The head of the knowledge base's list pages: its title, what this page holds (`subtitle`), the button starting
 * a new request to change the base (`request`, where the page offers one) and the tabs.
 */
export function KnowledgeTitle(props: {
  subtitle: string;
  request?: { label: string; onClick: () => void };
}) {
  return (
    <>
      <PageTitle
        title="База знаний"
        subtitle={props.subtitle}
        right={
          props.request && (
            <Button size="sm" onClick={props.request.onClick}>
              {props.request.label}
            </Button>
          )
        }
      />
      <KnowledgeNav />
    </>
  );
}

/**
 * The head of a knowledge item's page (an article, a request): the tabs, then what it is (the children) at the
 * left and what can be done with it (`actions`) at the right.
 */
export function KnowledgeItemHead({ children, actions }: { children: ReactNode; actions: ReactNode }) {
  return (
    <>
      <KnowledgeNav />
      <Group justify="space-between" align="flex-start">
        <div>{children}</div>
        {actions}
      </Group>
    </>
  );
}
