import { mount } from 'svelte';
import App from './App.svelte';
import { syncDocumentLang } from './lib/i18n';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element');
syncDocumentLang();
mount(App, { target });
