import { render } from 'preact';
import 'virtual:ads-tokens.css';
import './console.css';
import { App } from './app';
import { startTheme } from './theme';

startTheme();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
