import { CronSyntaxError, formatMinutes, longestGapMinutes, parseCron } from "../../../lib/core/cron";

function gap(expression: string): number | undefined {
  return longestGapMinutes(parseCron(expression));
}

function syntaxError(expression: string): string {
  try {
    parseCron(expression);
  } catch (err) {
    if (err instanceof CronSyntaxError) return err.message;
    throw err;
  }
  throw new Error(`"${expression}" was accepted`);
}

describe("cron schedules: longest gap between runs", () => {
  test.each([
    ["0 * * * *", 60],
    ["*/15 * * * *", 15],
    ["5,35 * * * *", 30],
    ["0 */6 * * *", 6 * 60],
    ["30 2 * * *", 24 * 60],
    ["0 0 * * 0", 7 * 24 * 60],
    ["0 0 * * SUN", 7 * 24 * 60],
    ["0 0 * * 7", 7 * 24 * 60],
    ["@hourly", 60],
    ["@daily", 24 * 60],
  ])("%s runs at most %d minutes apart", (expression, minutes) => {
    expect(gap(expression)).toBe(minutes);
  });

  test("an irregular schedule's period is its longest pause (Friday evening to Monday morning)", () => {
    // Hourly 09:00-17:00 on weekdays: Friday 17:00 -> Monday 09:00 = 64 hours.
    expect(gap("0 9-17 * * MON-FRI")).toBe(64 * 60);
  });

  test("a monthly schedule's period is the longest month", () => {
    expect(gap("0 0 1 * *")).toBe(31 * 24 * 60);
  });

  test("day-of-month and day-of-week both restricted match either (cron's OR rule)", () => {
    // The 1st of the month or any Monday: never more than 7 days apart.
    expect(gap("0 0 1 * 1")).toBe(7 * 24 * 60);
  });

  test("a stepped range steps from its start", () => {
    const s = parseCron("10-50/20 * * * *");
    expect([...s.minutes]).toEqual([10, 30, 50]);
    expect(longestGapMinutes(s)).toBe(20);
  });
});

describe("cron schedules: syntax errors name the field", () => {
  test.each([
    ["61 * * * *", "minute field: 61 is outside 0-59"],
    ["0 24 * * *", "hour field: 24 is outside 0-23"],
    ["0 0 0 * *", "day-of-month field: 0 is outside 1-31"],
    ["0 0 * 13 *", "month field: 13 is outside 1-12"],
    ["0 0 * * 8", "day-of-week field: 8 is outside 0-7"],
    ["0 0 * * FUNDAY", 'day-of-week field: "FUNDAY" is not a number or a name'],
    ["*/0 * * * *", 'minute field: step "0" must be a whole number >= 1'],
    ["30-10 * * * *", 'minute field: range "30-10" ends before it starts'],
    ["0 * * *", "has 4 fields; a cron schedule has 5: minute hour day-of-month month day-of-week"],
    ["0 0 * * * *", "has 6 fields; a cron schedule has 5: minute hour day-of-month month day-of-week"],
    ["? * * * *", 'minute field: "?" is not a number'],
    ["@every 1h", '"@every 1h" is not one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly'],
    ["0 0 31 2 *", "never runs: no date matches its day-of-month and month"],
    ["1,,2 * * * *", 'minute field: "" is not a value, range or step'],
  ])("%s: %s", (expression, message) => {
    expect(syntaxError(expression)).toBe(message);
  });
});

describe("formatMinutes", () => {
  test.each([
    [15, "15m"],
    [90, "1h30m"],
    [1440, "1d"],
    [64 * 60, "2d16h"],
  ])("%d minutes is %s", (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});
