// Entry point of the browser app (bundled by src/ui-assets.ts): the shell in shell/app.ts, dashboards in dashboards/.
import './main.css';
import { startApp } from './shell/app.ts';

startApp(document.getElementById('app')!);
