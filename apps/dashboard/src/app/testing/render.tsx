import { cleanup, type RenderResult, render } from '@testing-library/react';
import { afterEach } from 'vitest';
import { App } from '../App.js';
import { memoryStorage } from './fake-api.js';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

/** Renders the whole app at `path` over a fake API fetch. */
export function renderApp(
  path: string,
  fetchImpl: typeof fetch,
  storage: Storage = memoryStorage(),
): RenderResult & { storage: Storage } {
  window.history.replaceState(null, '', path);
  return {
    storage,
    ...render(<App baseUrl="http://dash.test" fetch={fetchImpl} storage={storage} />),
  };
}
