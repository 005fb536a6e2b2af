import type { UpgradeHandler } from './http/sandbox-server';
import type { Router } from './http/router';
import type { SandboxServices } from './sandbox-services';

/**
 * How further emulated surfaces join the sandbox (part 2: the web messaging guest
 * WebSocket, notifications channels and their socket, outbound open-messaging webhooks).
 * A plugin adds REST routes to the shared router (same pipeline: correlation id, faults,
 * auth, stats), claims WebSocket upgrades by path, reacts to world changes through
 * `services.world.on('conversation.changed', …)`, and cleans up in `close`.
 */
export interface SandboxPlugin {
  name: string;
  register(host: SandboxPluginHost): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface SandboxPluginHost {
  router: Router;
  services: SandboxServices;
  onUpgrade(handler: UpgradeHandler): void;
}
