// Python's datetime.strftime for the directives templates use (`now(fmt='%s.%f')`), in local time or UTC.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `d` formatted as Python's strftime does (C locale); `micros`: the microseconds within the second
 * (JavaScript keeps milliseconds). Throws on a directive it does not know, naming it.
 */
export function strftime(format: string, d: Date, utc = false, micros = d.getMilliseconds() * 1000): string {
  const g = utc
    ? { Y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), H: d.getUTCHours(), M: d.getUTCMinutes(), S: d.getUTCSeconds(), w: d.getUTCDay() }
    : { Y: d.getFullYear(), m: d.getMonth(), d: d.getDate(), H: d.getHours(), M: d.getMinutes(), S: d.getSeconds(), w: d.getDay() };
  const dayOfYear = Math.floor((Date.UTC(g.Y, g.m, g.d) - Date.UTC(g.Y, 0, 1)) / 86400000) + 1;
  const offset = utc ? 0 : -d.getTimezoneOffset();
  return format.replace(/%(.)/g, (m, c: string) => {
    switch (c) {
      case 'Y': return String(g.Y);
      case 'y': return pad(g.Y % 100);
      case 'm': return pad(g.m + 1);
      case 'd': return pad(g.d);
      case 'H': return pad(g.H);
      case 'I': return pad(g.H % 12 || 12);
      case 'p': return g.H < 12 ? 'AM' : 'PM';
      case 'M': return pad(g.M);
      case 'S': return pad(g.S);
      case 'f': return pad(micros, 6);
      case 'j': return pad(dayOfYear, 3);
      case 'a': return DAYS[g.w].slice(0, 3);
      case 'A': return DAYS[g.w];
      case 'b': return MONTHS[g.m].slice(0, 3);
      case 'B': return MONTHS[g.m];
      case 'w': return String(g.w);
      // seconds since the epoch (glibc's %s, which Python passes through)
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'z': return utc ? '' : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
      case 'Z': return utc ? '' : (Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '');
      case '%': return '%';
      default: throw new Error(`strftime directive ${m} is not supported by skiff: expected one of %Y %y %m %d %H %I %p %M %S %f %j %a %A %b %B %w %s %z %Z %%`);
    }
  });
}
