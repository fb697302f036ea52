import { Validator } from "./errors";

/**
 * The 5-field cron syntax of Kubernetes CronJobs (robfig/cron's standard parser):
 * `minute hour day-of-month month day-of-week`, each field a list of `*`, `n`, `n-m`,
 * optionally stepped with `/s`; month and weekday names (JAN, MON...); `?` as `*` in
 * the day fields; weekday 7 as Sunday; and the @yearly...@hourly descriptors.
 * Validated here rather than by the API server so that a typo fails at synth, and
 * parsed so that the freshness alert can know the longest gap between two runs.
 */
export interface CronSchedule {
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Day-of-month and day-of-week were both restricted: a day matches if either matches (cron's OR rule). */
  readonly dayOr: boolean;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly question?: boolean;
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, question: true },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], question: true },
];

const DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Thrown with a reason that completes "schedule is "...": "; <reason>". */
export class CronSyntaxError extends Error {}

function value(token: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return spec.min === 1 ? named + 1 : named;
  if (!/^\d+$/.test(token)) throw new CronSyntaxError(`${spec.name} field: "${token}" is not a number${spec.names ? " or a name" : ""}`);
  const n = Number(token);
  if (n < spec.min || n > spec.max) throw new CronSyntaxError(`${spec.name} field: ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function parseField(text: string, spec: FieldSpec): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(",")) {
    const [range, stepText, extra] = item.split("/");
    if (extra !== undefined || range === "") throw new CronSyntaxError(`${spec.name} field: "${item}" is not a value, range or step`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronSyntaxError(`${spec.name} field: step "${stepText}" must be a whole number >= 1`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === "*" || (range === "?" && spec.question)) {
      [lo, hi] = [spec.min, spec.max];
      star = true;
    } else if (range.includes("-")) {
      const [a, b, more] = range.split("-");
      if (more !== undefined) throw new CronSyntaxError(`${spec.name} field: "${range}" is not a range`);
      [lo, hi] = [value(a, spec), value(b, spec)];
      if (lo > hi) throw new CronSyntaxError(`${spec.name} field: range "${range}" ends before it starts`);
    } else {
      lo = value(range, spec);
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) values.add(spec.name === "day-of-week" && v === 7 ? 0 : v);
  }
  return { values, star };
}

/**
 * Checks a construct's schedule prop: the longest gap between its runs in minutes, or
 * undefined after recording one problem on `field` in `v` when it is not a schedule. Every
 * construct with a schedule refuses a bad one with these words.
 */
export function checkSchedule(v: Validator, field: string, schedule: string): number | undefined {
  try {
    return longestGapMinutes(parseCron(schedule))!;
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    v.check(false, field, schedule, `${e.message}; must be a 5-field cron schedule (minute hour day-of-month month day-of-week), such as "0 * * * *"`);
    return undefined;
  }
}

/** Parses a schedule; throws CronSyntaxError naming the offending field. */
export function parseCron(expression: string): CronSchedule {
  const trimmed = (expression ?? "").trim();
  const text = DESCRIPTORS[trimmed.toLowerCase()] ?? trimmed;
  if (text.startsWith("@")) throw new CronSyntaxError(`"${trimmed}" is not one of ${Object.keys(DESCRIPTORS).join(", ")}`);
  const parts = text.split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 5) throw new CronSyntaxError(`has ${parts.length} fields; a cron schedule has 5: minute hour day-of-month month day-of-week`);
  const fields = parts.map((p, i) => parseField(p, FIELDS[i]));
  const schedule: CronSchedule = {
    expression: trimmed,
    minutes: fields[0].values,
    hours: fields[1].values,
    daysOfMonth: fields[2].values,
    months: fields[3].values,
    daysOfWeek: fields[4].values,
    dayOr: !fields[2].star && !fields[4].star,
  };
  if (longestGapMinutes(schedule) === undefined) throw new CronSyntaxError("never runs: no date matches its day-of-month and month");
  return schedule;
}

const DAY = 24 * 60;
/** Years scanned: every weekday/date combination (28-year cycle) and leap day, without a Date per day. */
const SCAN_YEARS = 29;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The longest time between two consecutive runs, in minutes: the schedule's period for
 * regular schedules, and the worst gap (e.g. Friday evening to Monday morning) for
 * irregular ones, so that a freshness threshold never fires during a planned pause.
 * Undefined if the schedule never runs.
 */
export function longestGapMinutes(s: CronSchedule): number | undefined {
  const times = [...s.hours].sort((a, b) => a - b).flatMap((h) => [...s.minutes].sort((a, b) => a - b).map((m) => h * 60 + m));
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
  let previousDay: number | undefined;
  let dayIndex = 0;
  let weekday = 1; // 2024-01-01 was a Monday
  for (let year = 2024; year < 2024 + SCAN_YEARS; year++) {
    for (let month = 1; month <= 12; month++) {
      const days = daysInMonth(year, month);
      if (!s.months.has(month)) {
        dayIndex += days;
        weekday = (weekday + days) % 7;
        continue;
      }
      for (let date = 1; date <= days; date++, dayIndex++, weekday = (weekday + 1) % 7) {
        const dom = s.daysOfMonth.has(date);
        const dow = s.daysOfWeek.has(weekday);
        if (!(s.dayOr ? dom || dow : dom && dow)) continue;
        if (previousDay !== undefined) longest = Math.max(longest, (dayIndex - previousDay) * DAY + times[0] - times[times.length - 1]);
        previousDay = dayIndex;
      }
    }
  }
  return previousDay === undefined ? undefined : longest;
}

/** Minutes as a short human duration: 90 -> "1h30m", 1440 -> "1d". */
export function formatMinutes(total: number): string {
  const d = Math.floor(total / DAY);
  const h = Math.floor((total % DAY) / 60);
  const m = Math.round(total % 60);
  return [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].join("") || "0m";
}
