import { Text } from '@mantine/core';
import { deliveryErrorText } from '../lib/delivery-errors';

/**
 * A connector's stored error (a delivery's, a channel account's) as staff read it: the code's Russian meaning, and
 * the channel's own words beneath as detail for the administrator (marked literal: they are not our text).
 */
export function ErrorReason(props: {
  error: string | null | undefined;
  /** Written before the reason: when it happened. */
  prefix?: string;
  size?: 'xs' | 'sm';
  color?: string;
  testId?: string;
  lineClamp?: number;
}) {
  const { reason, detail } = deliveryErrorText(props.error);
  return (
    <>
      <Text
        size={props.size ?? 'xs'}
        c={props.error ? props.color : 'dimmed'}
        lineClamp={props.lineClamp}
        style={{ wordBreak: 'break-word' }}
        data-testid={props.testId}
      >
        {props.error && props.prefix ? `${props.prefix}: ${reason}` : reason}
      </Text>
      {detail && (
        <Text
          size="xs"
          c="dimmed"
          lineClamp={props.lineClamp}
          style={{ wordBreak: 'break-word' }}
          title={detail}
          data-literal
        >
          {detail}
        </Text>
      )}
    </>
  );
}
