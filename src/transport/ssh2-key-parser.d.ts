// ssh2's key parser, imported on its own by ssh-key.ts (@types/ssh2 types it only as utils.parseKey).
declare module 'ssh2/lib/protocol/keyParser.js' {
  import type { utils } from 'ssh2';
  const keyParser: { parseKey: typeof utils.parseKey };
  export default keyParser;
}
