import { Tabs } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router-dom';

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
