import { Button } from '@mantine/core';
import { isTerminalStatus, type Operation } from '@ktrdr/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../api/client-context';
import { operationKeys } from '../api/queries';

/** Cancels a pending or running operation; the list updates from the event stream. */
export function CancelButton({
  operation,
  size = 'xs',
}: {
  operation: Operation;
  size?: 'xs' | 'sm';
}) {
  const client = useClient();
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => client.cancelOperation(operation.operation_id),
    onSuccess: (op) => queryClient.setQueryData(operationKeys.detail(op.operation_id), op),
  });
  if (isTerminalStatus(operation.status)) return null;
  return (
    <Button
      size={size}
      color="red"
      variant="light"
      loading={cancel.isPending}
      onClick={(e) => {
        e.stopPropagation();
        cancel.mutate();
      }}
      aria-label="Cancel"
      title={`Cancel ${operation.operation_id}`}
    >
      Cancel
    </Button>
  );
}
