// Entry point of the console: theme first (no flash of the wrong one), then the app shell.
import { applyTheme, currentTheme } from './theme.js';
import './app-shell.js';

applyTheme(currentTheme());
