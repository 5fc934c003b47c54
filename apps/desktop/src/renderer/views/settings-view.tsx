import { Alert, Button, Checkbox, NumberInput, Stack, Text, TextInput, Title } from '@mantine/core';
import type { DesktopSettingsView } from '@ktrdr/shared';
import { useEffect, useState } from 'react';
import { desktopApi } from '../api/connection';

/** The desktop app's settings (Electron only: they decide how the app starts its processes). */
export function SettingsView() {
  const desktop = desktopApi();
  const [settings, setSettings] = useState<DesktopSettingsView | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    void desktop?.getSettings().then(setSettings);
  }, [desktop]);
  if (!desktop)
    return (
      <Text c="dimmed">
        Settings belong to the desktop app; this backend was started from the command line (see its
        --help).
      </Text>
    );
  if (!settings) return null;
  const set = <K extends keyof DesktopSettingsView>(key: K, value: DesktopSettingsView[K]) =>
    setSettings({ ...settings, [key]: value });
  const save = () =>
    desktop.saveSettings(settings).then(
      () => setMessage({ ok: true, text: 'Saved. They apply the next time ktrdr starts.' }),
      (e: Error) => setMessage({ ok: false, text: e.message }),
    );
  return (
    <Stack maw={520}>
      <Title order={2}>Settings</Title>
      <NumberInput
        label="Backend port (0 picks a free one)"
        value={settings.backend_port}
        onChange={(v) => set('backend_port', Number(v))}
        min={0}
        max={65535}
      />
      <NumberInput
        label="Local backtest workers"
        value={settings.local_backtest_workers}
        onChange={(v) => set('local_backtest_workers', Number(v))}
        min={0}
        max={64}
      />
      <NumberInput
        label="Local training workers (CPU)"
        value={settings.local_training_workers}
        onChange={(v) => set('local_training_workers', Number(v))}
        min={0}
        max={16}
      />
      <Checkbox
        label="Start the GPU training host service (only where a GPU backend loads)"
        checked={settings.gpu_training_host}
        onChange={(e) => set('gpu_training_host', e.currentTarget.checked)}
      />
      <Checkbox
        label="Let workers on other machines join (listen on all interfaces)"
        checked={settings.allow_lan_workers}
        onChange={(e) => set('allow_lan_workers', e.currentTarget.checked)}
      />
      <TextInput
        label="IB Gateway host"
        value={settings.ib_gateway_host}
        onChange={(e) => set('ib_gateway_host', e.currentTarget.value)}
      />
      <NumberInput
        label="IB Gateway port"
        value={settings.ib_gateway_port}
        onChange={(v) => set('ib_gateway_port', Number(v))}
        min={1}
        max={65535}
      />
      <NumberInput
        label="IB host service port (this machine)"
        value={settings.ib_host_port}
        onChange={(v) => set('ib_host_port', Number(v))}
        min={0}
        max={65535}
      />
      <Button onClick={() => void save()}>Save</Button>
      {message && <Alert color={message.ok ? 'green' : 'red'}>{message.text}</Alert>}
      <Button variant="default" onClick={() => void desktop.showDataFolder()}>
        Show the data folder
      </Button>
    </Stack>
  );
}
