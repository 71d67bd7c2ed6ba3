export {
  GATEWAY_BIN,
  type GatewayProcess,
  PROJECT_ROOT,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../../firmware-sim/parts/gateway-process.js";
