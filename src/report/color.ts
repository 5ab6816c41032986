// Whether to colour output. FORCE_COLOR wins (as in Node itself: set and not 0/false means colour, even
// into a pipe or a CI log; 0/false means none); then NO_COLOR (no-color.org: set and not empty means
// none); otherwise colour only on a terminal outside CI. ANSIBLE_NOCOLOR / ANSIBLE_FORCE_COLOR as Ansible reads them.
const ansibleTrue = (x: string | undefined) => x !== undefined && ['y', 'yes', 'on', '1', 'true', 't'].includes(x.trim().toLowerCase());

export function useColor(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  // Ansible's own switches (its boolean spellings): ANSIBLE_NOCOLOR wins over ANSIBLE_FORCE_COLOR, as in Ansible
  if (ansibleTrue(env.ANSIBLE_NOCOLOR)) return false;
  if (ansibleTrue(env.ANSIBLE_FORCE_COLOR)) return true;
  if (env.NO_COLOR) return false;
  return isTTY && env.CI !== 'true';
}

/**
 * listr2 (the terminal renderer) takes its colours from colorette, which reads NO_COLOR/FORCE_COLOR
 * once, when it is loaded, and lets NO_COLOR win: set them to our decision before loading it.
 */
export function alignColorEnv(color: boolean, env: Record<string, string | undefined> = process.env): void {
  if (color) {
    delete env.NO_COLOR;
    env.FORCE_COLOR = '1';
  } else {
    delete env.FORCE_COLOR;
    env.NO_COLOR = '1';
  }
}
