import { Badge, Button, Group } from '@mantine/core';

/** Beside the name of a rule that is kept but no longer applies. */
export function OffBadge() {
  return (
    <Badge ml={6} size="xs" color="gray.7" variant="outline" style={{ textTransform: 'none' }}>
      отключено
    </Badge>
  );
}

/**
 * A rule's buttons: change it, switch it off (or back on, where `onToggle` allows it) and delete it. Colours
 * without a shade: Mantine draws a subtle button's `red.8` in shade 6 (3.3:1), the bare colour in the theme's
 * darker light-text tone (4.5:1 and more).
 */
export function RuleActions(props: {
  active: boolean;
  onEdit: () => void;
  onToggle?: () => void;
  toggling?: boolean;
  onRemove: () => void;
  removing?: boolean;
}) {
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      <Button size="compact-xs" variant="subtle" onClick={props.onEdit}>
        Изменить
      </Button>
      {props.onToggle && (
        <Button
          size="compact-xs"
          variant="subtle"
          color="gray"
          loading={props.toggling}
          onClick={props.onToggle}
        >
          {props.active ? 'Отключить' : 'Включить'}
        </Button>
      )}
      <Button
        size="compact-xs"
        variant="subtle"
        color="red"
        loading={props.removing}
        onClick={props.onRemove}
      >
        Удалить
      </Button>
    </Group>
  );
}
