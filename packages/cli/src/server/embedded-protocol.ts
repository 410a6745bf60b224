/** What the embedded server's keeper tells the CLI over IPC. */
export type HostMessage =
  | { readonly type: 'ready'; readonly url: string; readonly owner: boolean; readonly port: number }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'stopped' };
