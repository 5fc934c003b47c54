import { Badge, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../api/client-context';
import { ibStatusQuery } from '../api/queries';

/** The IB connection in the status bar: connected, paused, not connected, or off — with why on hover. */
export function IbStatusBadge() {
  const client = useClient();
  const { data } = useQuery(ibStatusQuery(client));
  if (!data) return null;
  const state = !data.enabled
    ? { label: 'IB off', color: 'gray' }
    : data.gateway?.connected
      ? { label: 'IB connected', color: 'green' }
      : data.gateway?.state === 'paused'
        ? { label: 'IB paused', color: 'yellow' }
        : { label: 'IB not connected', color: 'red' };
  return (
    <Tooltip label={data.message} multiline w={360} withArrow>
      <Badge color={state.color} variant="dot" data-testid="ib-status" data-state={state.label}>
        {state.label}
      </Badge>
    </Tooltip>
  );
}
