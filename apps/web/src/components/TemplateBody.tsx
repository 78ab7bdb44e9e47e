import { Button, Group, Menu, Text, Textarea } from '@mantine/core';
import { useRef } from 'react';
import {
  insertToken,
  PLACEHOLDERS,
  placeholderToken,
  shownTemplate,
  storedTemplate,
} from '../lib/placeholders';

/**
 * An answer template's text: staff read and type the substitutions by their Russian names («[имя заявителя]»)
 * and insert them from a menu at the cursor; `value` and `onChange` carry the stored text (`{{applicantName}}`).
 */
export function TemplateBodyInput({
  label,
  value,
  onChange,
  error,
  minRows = 6,
  maxRows,
}: {
  label: string;
  value: string;
  onChange: (stored: string) => void;
  error?: string;
  minRows?: number;
  maxRows?: number;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const shown = shownTemplate(value);
  const insert = (name: string) => {
    const area = ref.current;
    const start = area?.selectionStart ?? shown.length;
    const end = area?.selectionEnd ?? start;
    const next = insertToken(shown, placeholderToken(name), start, end);
    onChange(storedTemplate(next.text));
    // Back to the text, the cursor after what was inserted.
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(next.cursor, next.cursor);
    });
  };
  return (
    <div>
      <Textarea
        ref={ref}
        label={label}
        description="Подстановки в квадратных скобках, например [имя заявителя], система заполнит данными обращения"
        required
        autosize
        minRows={minRows}
        maxRows={maxRows}
        value={shown}
        onChange={(e) => onChange(storedTemplate(e.currentTarget.value))}
        error={error}
      />
      <Group gap={6} mt={6}>
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Button size="compact-xs" variant="light">
              Вставить подстановку
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {PLACEHOLDERS.map((p) => (
              <Menu.Item key={p.key} onClick={() => insert(p.name)}>
                <Text size="sm">{placeholderToken(p.name)}</Text>
                <Text size="xs" c="dimmed">
                  {p.hint}
                </Text>
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
    </div>
  );
}
