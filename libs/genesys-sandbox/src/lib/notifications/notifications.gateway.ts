import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { ChannelSocket, NotificationChannelsService } from './notification-channels.service';

const CHANNEL_PATH = /^\/channels\/([^/]+)$/;

/**
 * The notifications socket (`connectUri`, wss://streaming.{domain}/channels/{id} in the real
 * world) on the API's own host and port. The channel id is the capability: no token. An
 * unknown or expired channel is refused with 404 before the upgrade.
 */
export class NotificationsGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly service: NotificationChannelsService) {}

  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const match = CHANNEL_PATH.exec(new URL(req.url ?? '/', 'http://sandbox').pathname);
    if (!match) return false;
    const channelId = match[1];
    if (!this.service.exists(channelId)) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nno such channel\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, channelId));
    return true;
  };

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket, channelId: string): void {
    const socket: ChannelSocket = {
      send: (text) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      },
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
    };
    if (!this.service.attach(channelId, socket)) {
      ws.close(1000, 'no such channel');
      return;
    }
    this.sockets.add(ws);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.service.received(channelId, data.toString());
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.service.detached(channelId, socket);
    });
    ws.on('error', () => ws.terminate());
  }
}
