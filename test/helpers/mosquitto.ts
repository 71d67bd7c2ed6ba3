export { FaultProxy } from "../../firmware-sim/parts/fault-proxy.js";
export { freePort, type Mosquitto, startMosquitto } from "../../firmware-sim/parts/mosquitto.js";
