import type { SimTargets } from "../runner.js";
import type { ScanAction, TemperatureAction } from "../scenarios.js";
import { VirtualDahuaTerminal, VirtualHikvisionTerminal } from "./virtual-terminal.js";

export type TerminalProtocol = "hikvision" | "dahua";

/**
 * A scenario played through a network terminal: a terminal reads the card and the forehead in
 * one event, so a scan waits for the temperature that follows it (within `pairMs`) and both go
 * in one notification; a card with no measurement after it goes alone.
 */
export function terminalTargets(options: {
  protocol: TerminalProtocol;
  id: string;
  password: string;
  gatewayUrl: string;
  pairMs?: number;
}): SimTargets & { terminal: VirtualHikvisionTerminal | VirtualDahuaTerminal } {
  const terminal =
    options.protocol === "hikvision"
      ? new VirtualHikvisionTerminal({
          id: options.id,
          password: options.password,
          gatewayUrl: options.gatewayUrl,
        })
      : new VirtualDahuaTerminal({
          id: options.id,
          password: options.password,
          gatewayUrl: options.gatewayUrl,
        });
  let waiting: { cardNo: string; atMs: number; timer: NodeJS.Timeout } | undefined;
  const said = (status: number | null) =>
    status === 200 ? "200" : `not delivered (${status ?? "no answer"})`;
  const flushCard = async () => {
    const card = waiting;
    waiting = undefined;
    if (!card) return null;
    clearTimeout(card.timer);
    return (await terminal.person({ cardNo: card.cardNo })).status;
  };
  return {
    terminal,
    describe: () => `${options.protocol} terminal ${options.id} -> ${options.gatewayUrl}`,
    async scan(action: ScanAction) {
      await flushCard();
      waiting = {
        cardNo: action.passId,
        atMs: Date.now(),
        timer: setTimeout(() => void flushCard(), options.pairMs ?? 3000),
      };
      return `card ${action.passId} read, waiting for the measurement`;
    },
    async temperature(action: TemperatureAction) {
      const card = waiting;
      waiting = undefined;
      if (card) clearTimeout(card.timer);
      const { status } = await terminal.person({
        tempC: action.tempC,
        ...(card ? { cardNo: card.cardNo } : {}),
      });
      if (status !== 200) throw new Error(`terminal event ${said(status)}`);
      return `${action.tempC.toFixed(2)} °C${card ? ` with card ${card.cardNo}` : ""} (${action.note}) -> ${said(status)}`;
    },
    async close() {
      await flushCard();
      if (terminal instanceof VirtualHikvisionTerminal) await terminal.stop();
    },
  };
}
