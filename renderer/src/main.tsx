import './zodConfig.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { AppProviders, makeQueryClient } from './data/context.js';
import { createPlatform } from './platform.js';
import './styles.css';

const platform = createPlatform();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProviders platform={platform} queryClient={makeQueryClient()}>
      <App />
    </AppProviders>
  </StrictMode>,
);
