/** Messages from the backend's process to the desktop app's main process. */
export type HostMessage =
  | { type: 'ready'; url: string; token: string; joinToken: string }
  | { type: 'error'; message: string };

/** Messages from the main process to the backend's process. */
export type ParentMessage = { type: 'stop' };
