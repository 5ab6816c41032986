// to_datetime's datetime (compared, subtracted into a timedelta) and password_hash's crypt strings, as
// ansible-core 2.14 gives them: filter_core's assertions, and password_hash's strings as ansible-core with
// passlib 1.7.4 computes them for these salts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate } from '../../src/template/expr.ts';
import { renderString, scopeOf } from '../../src/template/template.ts';

// as a condition reads them: string literals with Python's escapes
const ev = (src: string) => evaluate(src, scopeOf({}), true);

const TRUE: string[] = [
  // Verify to_datetime, and what a datetime does in Python
  '"1993-03-26 01:23:45"|to_datetime < "1994-03-26 01:23:45"|to_datetime',
  '(("2016-08-14 20:00:12"|to_datetime) - ("2015-12-25"|to_datetime("%Y-%m-%d"))).days == 233',
  '(("2016-08-14 20:00:12"|to_datetime) - ("2015-12-25"|to_datetime("%Y-%m-%d"))).seconds == 72012',
  '(("2016-08-14 20:00:12"|to_datetime) - ("2015-12-25"|to_datetime("%Y-%m-%d"))).total_seconds() == 20203212.0',
  '(("2015-12-25"|to_datetime("%Y-%m-%d")) - ("2016-08-14 20:00:12"|to_datetime)) | string == "-234 days, 3:59:48"',
  '("2016-08-14 20:00:12"|to_datetime) | string == "2016-08-14 20:00:12"',
  '("Mar 3 2020 1:02:03 PM"|to_datetime("%b %d %Y %I:%M:%S %p")).strftime("%Y-%m-%dT%H:%M:%S") == "2020-03-03T13:02:03"',
  '"2020-02-03T10:00:00+0200"|to_datetime("%Y-%m-%dT%H:%M:%S%z") | string == "2020-02-03 10:00:00+02:00"',
  '("2016-08-14 20:00:12"|to_datetime) | type_debug == "datetime"',
  // its fields are attributes, not a mapping's keys
  '("2020-01-02"|to_datetime("%Y-%m-%d")).day == 2 and ("2020-01-02"|to_datetime("%Y-%m-%d")) is not mapping',
  // inside a list's text: Python's repr
  '[("2020-01-01-0230"|to_datetime("%Y-%m-%d%z")), ("2020-01-02"|to_datetime("%Y-%m-%d")) - ("2020-01-01"|to_datetime("%Y-%m-%d"))] | string == "[datetime.datetime(2020, 1, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=77400))), datetime.timedelta(days=1)]"',
  // datetime - timedelta is a datetime again
  '("2016-08-14 20:00:12"|to_datetime) - (("2016-08-14 20:00:12"|to_datetime) - ("2015-12-25"|to_datetime("%Y-%m-%d"))) == "2015-12-25"|to_datetime("%Y-%m-%d")',
];

test('to_datetime: a datetime, as Python\'s strptime reads it', () => {
  for (const src of TRUE) assert.is(ev(src), true, src);
});

test('a whole "{{ }}" of a datetime is its text, as Ansible\'s concat makes it: set_fact then to_datetime again', () => {
  const start = renderString("{{ '2020-01-02 03:04:05' | to_datetime }}", scopeOf({}));
  assert.is(start, '2020-01-02 03:04:05');
  assert.is(evaluate("((start | to_datetime) - ('2020-01-01' | to_datetime('%Y-%m-%d'))).seconds", scopeOf({ start })), 11045);
});

const ERRORS: [string, string][] = [
  ['"hey"|password_hash(hashtype="supersecurehashtype")', "passlib does not support 'supersecurehashtype' algorithm"],
  ['"hey"|password_hash(salt_size=[999])', "'<' not supported between instances of 'list' and 'int'"],
  ['"hey"|password_hash("sha512", "abcdefghijklmnopq")', 'salt too large (sha512_crypt requires <= 16 chars)'],
  ['"hey"|password_hash("blowfish", "123")', 'salt too small (bcrypt requires exactly 22 chars)'],
  ['"2020-02-30"|to_datetime("%Y-%m-%d")', 'day is out of range for month'],
  ['"2020-02-3x"|to_datetime("%Y-%m-%d")', 'unconverted data remains: x'],
  ['"x"|to_datetime', "time data 'x' does not match format '%Y-%m-%d %H:%M:%S'"],
];

test('to_datetime and password_hash fail with Ansible\'s messages', () => {
  for (const [src, msg] of ERRORS) assert.throws(() => ev(src), (e: Error) => e.message.includes(msg), `${src}: ${msg}`);
});

test('password_hash: with a salt, the very string ansible-core (passlib) gives', () => {
  const cases: [string, string][] = [
    ['"hey"|password_hash("sha512", "abcdefgh")', '$6$rounds=656000$abcdefgh$UhkUSFdDhEhtleXHh9bny4WyE.RCwBW4on3FLxXKx9yGWLLtIF.g3UoKNv9ISVzl6ql1524IfrYrXM45wiZBF/'],
    ['"hey"|password_hash("sha512", "abcdefgh", rounds=5000)', '$6$abcdefgh$2CuU6qnwC7Um3.ht9WSMF3xYhx0EB0eHo0b.InKJPcv7jS28YEtEx1PRpmLRO.lN0PyxUUuxB5StnbZFG2Ulz1'],
    ['"ünï"|password_hash("sha512", "saltsalt", rounds=5000)', '$6$saltsalt$cX/ltlbB9loqm6LgxJO9mm51E0Ct24fCzpsBDMwG/73Z.O4jvZJGHY53FbwGAvJmAAKeFEOBWUfgyy/ndB.cY.'],
    ['"hey"|password_hash("sha256", "abcdefgh", rounds=5000)', '$5$abcdefgh$kV7QWlFv6LXL5/Zvx/J9UIXXNzyDkErJ/gQ.9xAtTq5'],
    ['"hey"|password_hash("md5", "abcdefgh")', '$1$abcdefgh$1IXCNrUNtckFVaFIgfV7J.'],
    ['"ünï"|password_hash("md5", "saltsalt")', '$1$saltsalt$BFp466wwWS2yOL6dQQOfU0'],
    ['"hey"|password_hash("blowfish", "1234567890123456789012", rounds=4, ident="2y")', '$2y$04$123456789012345678901uN/QGk/dPcVZ49R4XDiNLQFOwKuwpT.y'],
    ['"hey"|password_hash("blowfish", "1234567890123456789012", rounds=4, ident="2")', '$2$04$123456789012345678901u2LjSTyc/7r7cujUfRwFnfqGPwxSQ8tG'],
    ['("x" * 80)|password_hash("blowfish", "1234567890123456789012", rounds=4)', '$2b$04$123456789012345678901uEcbKRRJw4pAJmO1u1x0Xvr7B982j7p2'],
    ['"ünï"|password_hash("blowfish", "1234567890123456789012", rounds=5)', '$2b$05$123456789012345678901u9v9e9Xof0UNY48.NMugaREAmNRGLACS'],
  ];
  for (const [src, want] of cases) assert.is(ev(src), want, src);
  // Verify password_hash: the default is sha512_crypt, a random salt of 16, rounds=656000 written out
  assert.match(String(ev("'what in the WORLD is up?'|password_hash")), /^\$6\$rounds=656000\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
});

test.run();
