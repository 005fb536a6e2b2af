import type { TrafficRecorder } from '../record/traffic-recorder';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { SandboxStats } from '../stats/sandbox-stats';
import type { GuestServerFrame } from './guest-frames';
import type { GuestConnection } from './guest-session';
import { WebMessagingService } from './web-messaging.service';

/** Guest frames are small; anything this large is a broken or hostile client. */
const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * The WebSocket side of web messaging: takes `/v1?deploymentId=…` upgrades on the API's own
 * host and port (the real service is wss://webmessaging.{domain}/v1) and feeds frames to
 * the service. Connections without a deploymentId are refused with 400 before the upgrade.
 */
export class WebMessagingGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly sockets = new Map<GuestConnection, WebSocket>();
  private nextId = 1;

  constructor(
    private readonly service: WebMessagingService,
    private readonly stats: SandboxStats,
    private readonly recorder?: TrafficRecorder,
  ) {}

  /** The upgrade handler for the sandbox server; true when the request was ours. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname !== '/v1') return false;
    const deploymentId = url.searchParams.get('deploymentId') ?? undefined;
    if (!deploymentId) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ndeploymentId is required\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, deploymentId));
    return true;
  };

  /** Kills sockets without a close frame, as a network failure would (all, or one session's). */
  drop(sessionId?: string): number {
    const targets = sessionId === undefined ? [...this.sockets.keys()] : this.service.connections(sessionId);
    for (const connection of targets) this.sockets.get(connection)?.terminate();
    return targets.length;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  close(): void {
    for (const ws of this.sockets.values()) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket, urlDeploymentId: string): void {
    this.stats.recordSocket('guest', 'connections');
    const connection: GuestConnection = {
      id: this.nextId++,
      urlDeploymentId,
      send: (frame: GuestServerFrame) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        this.recorder?.record({ kind: 'guest', frameClass: `${frame.type}:${frame.class}`, body: frame });
        ws.send(JSON.stringify(frame));
      },
      close: (reason: string) => ws.close(1000, reason),
    };
    this.sockets.set(connection, ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.service.handleFrame(connection, data.toString());
    });
    ws.on('close', () => {
      this.sockets.delete(connection);
      this.service.disconnected(connection);
    });
    ws.on('error', () => ws.terminate());
  }
}
