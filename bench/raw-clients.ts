import { connect, type Socket } from "node:net";
import mqttPacket from "mqtt-packet";

/**
 * Load-generator clients that cost next to nothing, so that on this 2-core machine the bench
 * measures the gateway and not its clients: an MQTT device that writes pre-encoded packets to
 * a TCP socket and counts PUBACKs, and a kiosk that reads WebSocket frames off a TCP socket
 * without a WebSocket library (RFC 6455 §5.2). The gateway cannot tell them from real ones.
 */

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

export class RawDevice {
  private nextId = 1;
  private readonly pending = new Map<number, () => void>();

  private constructor(
    private readonly socket: Socket,
    readonly topic: string,
  ) {}

  static async connect(
    port: number,
    clientId: string,
    topic: string,
    username?: string,
    password?: string,
  ): Promise<RawDevice> {
    const socket = await connected(port);
    const device = new RawDevice(socket, topic);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    await new Promise<void>((resolve, reject) => {
      parser.on("packet", (packet) => {
        if (packet.cmd === "connack") {
          if (packet.returnCode === 0) resolve();
          else reject(new Error(`CONNACK ${packet.returnCode}`));
        } else if (packet.cmd === "puback" && packet.messageId !== undefined) {
          const done = device.pending.get(packet.messageId);
          device.pending.delete(packet.messageId);
          done?.();
        }
      });
      socket.on("data", (chunk) => parser.parse(chunk));
      socket.write(
        mqttPacket.generate({
          cmd: "connect",
          protocolId: "MQTT",
          protocolVersion: 4,
          clientId,
          clean: true,
          keepalive: 0,
          ...(username === undefined ? {} : { username, password: Buffer.from(password ?? "") }),
        }),
      );
    });
    return device;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Publishes with QoS 1; `acked` runs when its PUBACK arrives. */
  publish(payload: string, acked: () => void): void {
    const messageId = this.nextId;
    this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
    this.pending.set(messageId, acked);
    this.socket.write(
      mqttPacket.generate({
        cmd: "publish",
        topic: this.topic,
        payload,
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      }),
    );
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  close(): void {
    this.socket.destroy();
  }
}

const READING_MARK = Buffer.from('"type":"reading"');
const MSG_ID_MARK = Buffer.from('"msg_id":"');

export class RawKiosk {
  readings = 0;
  latenciesUs: number[] = [];
  /** When set, each reading's latency is taken from the send time of its msg_id. */
  measure: Map<string, bigint> | null = null;
  private buffer = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {}

  static async connect(port: number, checkpoint: string): Promise<RawKiosk> {
    const socket = await connected(port);
    const kiosk = new RawKiosk(socket);
    await new Promise<void>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onHandshake);
        if (!head.subarray(0, 12).toString().includes("101")) {
          reject(new Error(`upgrade refused: ${head.subarray(0, end).toString()}`));
          return;
        }
        socket.on("data", (data: Buffer) => kiosk.onData(data));
        kiosk.onData(head.subarray(end + 4));
        resolve();
      };
      socket.on("data", onHandshake);
      socket.write(
        `GET /live?checkpoint=${checkpoint} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    return kiosk;
  }

  reset(): void {
    this.readings = 0;
    this.latenciesUs = [];
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (chunk.length === 0) return;
    let data = this.buffer.length > 0 ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (data.length < 2) break;
      const opcode = (data[0] as number) & 0x0f;
      let length = (data[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (data.length < 4) break;
        length = data.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (data.length < 10) break;
        length = Number(data.readBigUInt64BE(2));
        offset = 10;
      }
      if (data.length < offset + length) break;
      const payload = data.subarray(offset, offset + length);
      if (opcode === 0x1) this.onText(payload);
      else if (opcode === 0x9) this.pong(payload);
      data = data.subarray(offset + length);
    }
    this.buffer = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
  }

  private onText(payload: Buffer): void {
    if (!payload.includes(READING_MARK)) return;
    this.readings += 1;
    if (!this.measure) return;
    const now = process.hrtime.bigint();
    const start = payload.indexOf(MSG_ID_MARK);
    if (start < 0) return;
    const from = start + MSG_ID_MARK.length;
    const sent = this.measure.get(payload.toString("latin1", from, payload.indexOf(34, from)));
    if (sent !== undefined) this.latenciesUs.push(Number(now - sent) / 1000);
  }

  /** Answers a ping; a client's frames must be masked, and a zero mask is a valid one. */
  private pong(payload: Buffer): void {
    this.socket.write(
      Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length, 0, 0, 0, 0]), payload]),
    );
  }
}
