// Shell completion scripts, generated from the flag and command tables (spec.ts) and the task types:
// commands, each command's flags, task type names and file names are written into the script; the
// hosts and groups of an inventory (after --limit, -l, --host) are asked of skiff itself
// (`skiff __complete hosts [-i INVENTORY]`, the -i of the command line being completed, else the
// configured one), as the word the user typed to start skiff (COMP_WORDS[0] / words[1]).
import { visibleCommands } from './args.ts';
import { COMMANDS, FLAGS, flagsOf, type Complete } from './spec.ts';

const spellings = (name: string) => [`--${name}`, ...(FLAGS[name].short ? [`-${FLAGS[name].short}`] : [])];
const valueFlags = () => Object.keys(FLAGS).filter((n) => FLAGS[n].type === 'string');
const flagsBy = (kinds: Complete[]) => valueFlags().filter((n) => kinds.includes(FLAGS[n].complete ?? 'none')).flatMap(spellings);
const flagWords = (cmd: string) => flagsOf(cmd).flatMap((n) => [`--${n}`]).join(' ');
const argKinds = (kind: Complete) => Object.keys(COMMANDS).filter((c) => COMMANDS[c].args[0]?.complete === kind);

export function bashScript(taskTypes: string[]): string {
  const cmds = visibleCommands();
  const pat = (words: string[]) => words.join('|') || '__none__';
  return `# skiff completion for bash. Load it with:  source <(skiff completion bash)
_skiff() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" inv="" i j
  COMPREPLY=()
  # the command (first word that is neither a flag nor a flag's value) and the -i given so far
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -i|--inventory) inv="\${COMP_WORDS[i+1]}"; ((i++)) ;;
      --inventory=*) inv="\${COMP_WORDS[i]#--inventory=}" ;;
      ${pat(valueFlags().flatMap(spellings).filter((s) => s !== '-i' && s !== '--inventory'))}) ((i++)) ;;
      -*) ;;
      *) [[ -z "$cmd" ]] && cmd="\${COMP_WORDS[i]}" ;;
    esac
  done
  # bash splits "a:b" at the colon (COMP_WORDBREAKS): walk back over a:b:c to the flag it belongs to
  j=$((COMP_CWORD - 1))
  while ((j > 1)) && [[ "\${COMP_WORDS[j]}" == ":" || "\${COMP_WORDS[j+1]}" == ":" ]]; do ((j--)); done
  [[ "$cur" == ":" ]] && cur=""
  case "\${COMP_WORDS[j]}" in
    ${pat(flagsBy(['hosts']))})
      local bang="" names
      [[ "$cur" == ["&!"]* ]] && bang="\${cur:0:1}" && cur="\${cur:1}"
      names="$("\${COMP_WORDS[0]}" __complete hosts \${inv:+-i "$inv"} 2>/dev/null)"
      COMPREPLY=($(compgen -P "$bang" -W "$names" -- "$cur"))
      return ;;
  esac
  case "$prev" in
    ${pat(flagsBy(['file', 'inventory', 'dir']))})
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
    ${pat(flagsBy(['none']))}) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
${Object.keys(COMMANDS).map((c) => `      ${c}) COMPREPLY=($(compgen -W "${flagWords(c)}" -- "$cur")) ;;`).join('\n')}
      *) COMPREPLY=($(compgen -W "--help --version" -- "$cur")) ;;
    esac
    return
  fi
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${cmds.join(' ')}" -- "$cur"))
    return
  fi
  case "$cmd" in
    ${pat(argKinds('file'))}) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
    ${pat(argKinds('tasks'))}) COMPREPLY=($(compgen -W "${taskTypes.join(' ')}" -- "$cur")) ;;
    ${pat(argKinds('shells'))}) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
    ${pat(argKinds('commands'))}) COMPREPLY=($(compgen -W "${cmds.join(' ')}" -- "$cur")) ;;
  esac
}
complete -F _skiff skiff
`;
}

export function zshScript(taskTypes: string[]): string {
  const cmds = visibleCommands();
  const pat = (words: string[]) => `(${words.join('|') || '__none__'})`;
  return `#compdef skiff
# skiff completion for zsh. Load it with:  source <(skiff completion zsh)
# or save it as _skiff in a directory of $fpath.
_skiff() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd= inv= i
  for ((i = 2; i < CURRENT; i++)); do
    case \${words[i]} in
      (-i|--inventory) inv=\${words[i+1]}; ((i++)) ;;
      (--inventory=*) inv=\${words[i]#--inventory=} ;;
      ${pat(valueFlags().flatMap(spellings).filter((s) => s !== '-i' && s !== '--inventory'))}) ((i++)) ;;
      (-*) ;;
      (*) [[ -z $cmd ]] && cmd=\${words[i]} ;;
    esac
  done
  case $prev in
    ${pat(flagsBy(['hosts']))})
      local -a names
      names=(\${(f)"$(\${words[1]} __complete hosts \${inv:+-i} \${inv} 2>/dev/null)"})
      compset -P '*[:,]'
      compset -P '[!&]'
      compadd -a names
      return ;;
    ${pat(flagsBy(['file', 'inventory', 'dir']))}) _files; return ;;
    ${pat(flagsBy(['none']))}) return ;;
  esac
  if [[ $cur == -* ]]; then
    case $cmd in
${Object.keys(COMMANDS).map((c) => `      (${c}) compadd -- ${flagWords(c)} ;;`).join('\n')}
      (*) compadd -- --help --version ;;
    esac
    return
  fi
  if [[ -z $cmd ]]; then
    compadd -- ${cmds.join(' ')}
    return
  fi
  case $cmd in
    ${pat(argKinds('file'))}) _files ;;
    ${pat(argKinds('tasks'))}) compadd -- ${taskTypes.join(' ')} ;;
    ${pat(argKinds('shells'))}) compadd -- bash zsh ;;
    ${pat(argKinds('commands'))}) compadd -- ${cmds.join(' ')} ;;
  esac
}
if [[ $funcstack[1] == _skiff ]]; then _skiff "$@"; else compdef _skiff skiff; fi
`;
}
