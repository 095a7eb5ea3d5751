import { mount } from 'svelte';
import App from './App.svelte';
import { api, type Api } from './lib/api';
import { syncDocumentLang } from './lib/i18n';
import './app.css';

/**
 * The core, or in the dev server outside Tauri with `?fake=<count>` the fake backend with that
 * many VMs (for demos and measuring in a plain browser; not in a build).
 */
async function backend(): Promise<Api> {
  if (import.meta.env.DEV && !('__TAURI_INTERNALS__' in window)) {
    const count = new URLSearchParams(location.search).get('fake');
    if (count !== null) {
      const { demoApi } = await import('./lib/fake-api');
      const fake = demoApi(Math.max(0, Number(count) || 0));
      // For driving the demo from the console or a WebDriver (events, more VMs).
      Object.assign(window, { vireoFake: fake });
      return fake;
    }
  }
  return api;
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element');
syncDocumentLang();
void backend().then((backend) => mount(App, { target, props: { backend } }));
