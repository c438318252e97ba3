import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App.js';
import { AppProviders, makeQueryClient } from './data/context.js';
import { createPlatform } from './platform.js';
import './styles.css';

// The contract's schemas come along with the client; under our CSP zod must not even probe for eval.
z.config({ jitless: true });

const platform = createPlatform();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProviders platform={platform} queryClient={makeQueryClient()}>
      <App />
    </AppProviders>
  </StrictMode>,
);
