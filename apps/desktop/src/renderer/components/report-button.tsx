import { Button, Text } from '@mantine/core';
import { backtestReportHtml, loadBacktestReport } from '@ktrdr/shared';
import { useMutation } from '@tanstack/react-query';
import { useClient } from '../api/client-context';

/** Hands `text` to the browser as a file download named `name`. */
function download(text: string, name: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // the click has started the download: the URL can go once this task ends
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * "Report": the backtest as one self-contained HTML file (`<id>-report.html`), made here by
 * the same module as `ktrdr report`, so the file a trader keeps is the same from both.
 */
export function ReportButton({ operationId }: { operationId: string }) {
  const client = useClient();
  const make = useMutation({
    mutationFn: async () => backtestReportHtml(await loadBacktestReport(client, operationId)),
    onSuccess: (html) => download(html, `${operationId}-report.html`, 'text/html'),
  });
  return (
    <>
      <Button
        size="compact-xs"
        variant="light"
        loading={make.isPending}
        onClick={() => make.mutate()}
        data-testid="report-button"
      >
        Report
      </Button>
      {make.error && (
        <Text size="xs" c="red" span>
          {' '}
          The report could not be made: {make.error.message}
        </Text>
      )}
    </>
  );
}
