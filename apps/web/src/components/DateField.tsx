import { ActionIcon, Popover, TextInput, type TextInputProps } from '@mantine/core';
import { DatePicker } from '@mantine/dates';
import { useEffect, useRef, useState } from 'react';
import { CalendarIcon } from './icons';

/** '2026-03-07' → '07.03.2026'; '2026-03-07T09:05' → '07.03.2026 09:05'; anything else → ''. */
export function russianDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(iso);
  if (!m) return '';
  return `${m[3]}.${m[2]}.${m[1]}${m[4] ? ` ${m[4]}:${m[5]}` : ''}`;
}

/**
 * What was typed, read as a date ('ДД.ММ.ГГГГ' → 'YYYY-MM-DD') or with the time too ('ДД.ММ.ГГГГ ЧЧ:ММ' →
 * 'YYYY-MM-DDTHH:MM'); null when it is not a real one. One-digit days, months and hours are taken.
 */
export function parseRussianDate(text: string, withTime: boolean): string | null {
  const m = withTime
    ? /^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})$/.exec(text.trim())
    : /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text.trim());
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return null;
  }
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${year}-${two(month)}-${two(day)}`;
  if (!withTime) return date;
  const [hour, minute] = [Number(m[4]), Number(m[5])];
  if (hour > 23 || minute > 59) return null;
  return `${date}T${two(hour)}:${two(minute)}`;
}

/**
 * A date (or date and time) typed the Russian way whatever the browser's language (a native date field
 * speaks the browser's, «mm/dd/yyyy» in an English one), or picked from a calendar (Mantine's, in Russian,
 * weeks from Monday) that the button in the field opens. `value` and `onChange` carry 'YYYY-MM-DD' (with
 * `withTime`, 'YYYY-MM-DDTHH:MM'), '' while the text is empty or not a date; what is wrong is said under the
 * field once it is left. With the time, a day picked keeps the time typed, or waits for it with the cursor at
 * its place.
 */
export function DateField({
  value,
  onChange,
  withTime = false,
  description,
  label,
  minDate,
  maxDate,
  ...props
}: Omit<TextInputProps, 'value' | 'onChange' | 'type' | 'error'> & {
  value: string;
  onChange: (value: string) => void;
  withTime?: boolean;
  /** The first and last day the calendar offers, 'YYYY-MM-DD' (a limit the api sets). */
  minDate?: string;
  maxDate?: string;
}) {
  const [text, setText] = useState(() => russianDate(value));
  const [left, setLeft] = useState(false);
  const [picking, setPicking] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // A value set from outside (a reset, a link's period) is shown; one this field gave is left as typed.
  useEffect(() => {
    if (parseRussianDate(text, withTime) !== value && (value !== '' || text.trim() === '')) {
      setText(russianDate(value));
    }
  }, [value]);
  const pattern = withTime ? 'ДД.ММ.ГГГГ ЧЧ:ММ' : 'ДД.ММ.ГГГГ';
  const wrong = left && !picking && text.trim() !== '' && parseRussianDate(text, withTime) === null;
  const typed = (next: string) => {
    setText(next);
    onChange(parseRussianDate(next, withTime) ?? '');
  };
  const day = value.slice(0, 10) || null;
  const picked = (date: string | null) => {
    setPicking(false);
    if (!date) return;
    const time = withTime ? /\s(\d{1,2}:\d{2})$/.exec(text.trim())?.[1] : undefined;
    typed(withTime ? `${russianDate(date)} ${time ?? ''}` : russianDate(date));
    // With the time still to type, the cursor waits after the date; else the field is where the user goes on.
    requestAnimationFrame(() => input.current?.focus());
  };
  const calendarLabel = `Выбрать в календаре: ${typeof label === 'string' ? label : 'дата'}`;
  return (
    <TextInput
      {...props}
      ref={input}
      label={label}
      inputMode="numeric"
      autoComplete="off"
      placeholder={pattern}
      description={description}
      value={text}
      onChange={(e) => typed(e.currentTarget.value)}
      onBlur={() => setLeft(true)}
      onFocus={() => setLeft(false)}
      error={wrong ? `Введите ${withTime ? 'дату и время' : 'дату'} в виде ${pattern}` : undefined}
      rightSection={
        <Popover
          opened={picking}
          onChange={setPicking}
          position="bottom-end"
          shadow="md"
          trapFocus
          returnFocus
        >
          <Popover.Target>
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={calendarLabel}
              title="Выбрать в календаре"
              aria-expanded={picking}
              onClick={() => setPicking((o) => !o)}
            >
              <CalendarIcon />
            </ActionIcon>
          </Popover.Target>
          <Popover.Dropdown p="xs" aria-label={calendarLabel}>
            <DatePicker
              value={day}
              defaultDate={day ?? undefined}
              minDate={minDate}
              maxDate={maxDate}
              onChange={picked}
              previousLabel="Предыдущий месяц"
              nextLabel="Следующий месяц"
              ariaLabels={{
                nextDecade: 'Следующее десятилетие',
                previousDecade: 'Предыдущее десятилетие',
                nextYear: 'Следующий год',
                previousYear: 'Предыдущий год',
                nextMonth: 'Следующий месяц',
                previousMonth: 'Предыдущий месяц',
                yearLevelControl: 'Выбрать десятилетие',
                monthLevelControl: 'Выбрать год',
              }}
            />
          </Popover.Dropdown>
        </Popover>
      }
    />
  );
}
