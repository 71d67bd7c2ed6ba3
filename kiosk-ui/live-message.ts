/**
 * A live message off the WebSocket, as the channel's type (gateway/live/protocol.ts): the one
 * place the pages take the wire's word for a message; from here they narrow on `type`.
 */
export function parseMessage<M extends { type: string }>(data: unknown): M {
  return JSON.parse(String(data)) as M;
}
