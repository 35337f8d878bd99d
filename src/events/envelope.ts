/** One event as containerd's Envelope carries it; `event` is an Any with a bare type URL. */
export interface Envelope {
  timestamp: Date;
  namespace: string;
  topic: string;
  event: { typeUrl: string; value: Uint8Array };
}
