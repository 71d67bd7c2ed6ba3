import mqtt, { type MqttClient } from "mqtt";
import { DEVICE_PASSWORD } from "./gateway.js";

/** An MQTT device as a real mqtt.js client; resolves once connected, rejects on refusal. */
export function connectDevice(
  url: string,
  username: string | undefined,
  password: string | undefined = DEVICE_PASSWORD,
  extra: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      username,
      // MQTT 3.1.1 allows no password without a username.
      password: username === undefined ? undefined : password,
      clientId: `${username ?? "anon"}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...extra,
    });
    client.once("connect", () => resolve(client));
    client.once("error", (error) => {
      client.end(true);
      reject(error);
    });
  });
}

export function publishQos1(
  client: MqttClient,
  topic: string,
  payload: string | object,
): Promise<void> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    client.publish(topic, body, { qos: 1 }, (error) => (error ? reject(error) : resolve()));
  });
}
