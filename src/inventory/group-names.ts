// Group names with characters Ansible deems invalid in a variable name (`[local-]`), as its
// TRANSFORM_INVALID_GROUP_CHARS says (inventory/group.py to_safe_group_name): kept with a warning
// (never, the default), kept silently (ignore), each such character made `_` with a warning (always) or
// without one (silently). A setting of the whole run, as Ansible's constant.

export type GroupCharsMode = 'always' | 'never' | 'ignore' | 'silently';
let mode: GroupCharsMode = 'never';
export const setGroupCharsMode = (m: GroupCharsMode): void => void (mode = m);

// C.INVALID_VARIABLE_NAMES, `^[\d\W]|[^\w]`, with Python's Unicode \w
const INVALID = /^\p{Nd}|[^\p{L}\p{N}\p{Mn}_]/gu;

const REPLACED = 'Invalid characters were found in group names and automatically replaced, use -vvvv to see details';
const NOT_REPLACED = 'Invalid characters were found in group names but not replaced, use -vvvv to see details';

/** The name the group gets, and Ansible's warning, if any. */
export function safeGroupName(name: string): { name: string; warning?: string } {
  if (!name.match(INVALID)) return { name };
  if (mode === 'always' || mode === 'silently') return { name: name.replace(INVALID, '_'), ...(mode === 'always' ? { warning: REPLACED } : {}) };
  return mode === 'never' ? { name, warning: NOT_REPLACED } : { name };
}
