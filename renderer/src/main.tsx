import './zodConfig.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { AppProviders, makeQueryClient } from './data/context.js';
import { createPlatform } from './platform.js';
import './styles.css';
import { applyTheme, readTheme } from './lib/theme.js';

applyTheme(readTheme()); // before the first paint, so a dark choice never flashes light
const platform = createPlatform();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProviders platform={platform} queryClient={makeQueryClient()}>
      <App />
    </AppProviders>
  </StrictMode>,
);
