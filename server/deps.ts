import type { TokenService } from './accounts/tokens.ts';
import type { AuditSink } from './audit/sink.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { SmsDispatcher } from './delivery/types.ts';
import type { ServerKeys } from './keys.ts';
import type { Logger } from './log.ts';
import type { Platform } from './platform/index.ts';
import type { Store } from './store/index.ts';
import type { TenantService } from './tenants/service.ts';

/** Everything a procedure may use, built once per process by `createDeps`. */
export interface AppDeps {
  config: Config;
  store: Store;
  keys: ServerKeys;
  clock: Clock;
  log: Logger;
  tenants: TenantService;
  tokens: TokenService;
  sms: SmsDispatcher;
  /** The audit trail, handed to every feature that records in it. */
  audit: AuditSink;
  /** The operator's side: tenants and their keys through the platform API, and its key. */
  platform: Platform;
}
