/**
 * What a local integration (Home Assistant) adds to the devices' broker: the topic prefixes a
 * logged-in integration may read on the embedded broker, the topics the gateway reads on an
 * external one, and a hook for the messages an integration publishes (its birth message).
 */
export interface BrokerIntegration {
  /** Topic prefixes an integration's account may subscribe to (embedded broker). */
  readable: readonly string[];
  /** Topics the gateway subscribes to besides the devices' (external broker). */
  subscribe: readonly string[];
  /** An integration's message; true when it was taken (and so is not a device's). */
  heard(topic: string, payload: string): boolean;
}

/**
 * Where devices' MQTT messages come from (docs/contract.md#devices-over-mqtt): the embedded aedes (mqtt/broker.ts) or the
 * site's own broker (mqtt/external-broker.ts). Both take devices' messages into the ingest
 * pipeline and give the rest of the gateway one way to publish.
 */
export interface DeviceBroker {
  /** The port devices connect to: the embedded broker's, or the one in the external broker's URL. */
  readonly port: number;
  /** Connections: devices' on the embedded broker, the gateway's own on an external one. */
  readonly connectedClients: number;
  readonly isConnected: boolean;
  /** Whether anyone could be listening to the gateway's events (they are not retained). */
  readonly hasIntegrations: boolean;
  /** Adds an integration's topics and hook; before `start`. */
  addIntegration(integration: BrokerIntegration): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Publishes from the gateway itself (QoS 1): door commands, Home Assistant; retained if asked. */
  publish(topic: string, payload: string, retain?: boolean): Promise<void>;
  /** A live event for local integrations, at QoS 0 (see each broker). */
  publishLive(topic: string, payload: string): void;
}

/** The integrations' hooks as one: the first that takes a message has it. */
export class BrokerIntegrations {
  private readonly list: BrokerIntegration[] = [];

  add(integration: BrokerIntegration): void {
    this.list.push(integration);
  }

  get readable(): string[] {
    return this.list.flatMap((i) => i.readable);
  }

  get subscribe(): string[] {
    return this.list.flatMap((i) => i.subscribe);
  }

  heard(topic: string, payload: string): boolean {
    return this.list.some((i) => i.heard(topic, payload));
  }
}
