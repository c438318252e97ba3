/**
 * Loads the service factory (core/service/service.ts). It is imported by specifier string so the shell builds and
 * type-checks on its own branch before the service lands; the type is the documented `createService` signature from
 * core/service/types.ts. Once both are merged this can become a static import.
 */
import type { Service, ServiceOptions } from '../core/service/types.js';

export type CreateService = (opts: ServiceOptions) => Promise<Service>;

const SERVICE_MODULE = '../core/service/service.js';

export async function loadCreateService(): Promise<CreateService> {
  const mod = (await import(SERVICE_MODULE)) as { createService?: CreateService };
  if (typeof mod.createService !== 'function') throw new Error(`${SERVICE_MODULE} does not export createService`);
  return mod.createService;
}
