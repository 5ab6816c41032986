// Ansible's is_template (template/__init__.py): whether text holds a Jinja2 template, a begin token
// ({{, {% or {#) closed by its own end token. Ansible lexes the text; a scan for the first begin and its
// matching end says the same for what conditions hold.
const END: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };

export function isTemplate(text: string): boolean {
  const m = /\{[{%#]/.exec(text);
  if (!m) return false;
  return text.indexOf(END[m[0]], m.index + 2) >= 0;
}
