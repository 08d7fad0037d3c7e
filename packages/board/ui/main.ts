// Entry point of the browser app (bundled by src/ui-assets.ts). The app shell lives here; see ui/dashboards/types.ts.
import './main.css';

document.getElementById('app')!.textContent = 'tbpipe board';
