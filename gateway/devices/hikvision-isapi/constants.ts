/**
 * Hikvision ISAPI event notification (docs/contract.md#network-terminals-over-http; Hikvision "ISAPI Access Control" developer guide,
 * "Event Message: AccessControllerEvent"): what the terminal posts to its configured HTTP host.
 * Field names as the terminal spells them (`isAbnomalTemperature` is misspelt in the firmware).
 */
export const HIKVISION = {
  /** `eventType` of an access event; its data is in a member of the same name. */
  accessEvent: "AccessControllerEvent",
  /** `eventType` of the keep-alive the terminal sends while idle. */
  heartbeat: "heartBeat",
  fields: {
    serial: "serialNo",
    temperature: "currTemperature",
    unit: "thermometryUnit",
    overTemperature: "isAbnomalTemperature",
    mask: "mask",
    card: "cardNo",
    person: "employeeNoString",
    major: "majorEventType",
    minor: "subEventType",
  },
  /** The event search the gateway uses to fetch what the terminal could not deliver. */
  searchPath: "/ISAPI/AccessControl/AcsEvent?format=json",
  /** Major type 5 is "event" (access and authentication); 0 asks for every minor type. */
  searchMajor: 5,
  searchMinor: 0,
  /** Most results the terminals give per page of a search. */
  searchPage: 30,
} as const;
