/**
 * Imported first by main.tsx. The contract's zod schemas are built when core/api.ts is evaluated, and zod probes
 * for eval (`Function('')`) as it builds object schemas unless told not to; under our CSP that probe is refused
 * and reported as a violation. Configuring zod before any schema exists avoids the probe altogether.
 */
import { z } from 'zod';

z.config({ jitless: true });
