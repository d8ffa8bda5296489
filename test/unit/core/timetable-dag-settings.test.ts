import { describe, expect, it } from "vitest";
import { resolveDagSettings } from "../../../src/core/dag-settings.js";

describe("resolveDagSettings checks the schedule and timezone", () => {
  it.each([
    [
      "a bad cron field",
      { schedule: "61 * * * *", start: "2026-01-01" },
      [
        'invalid schedule "61 * * * *": minute field "61": Constraint error, got value 61 expected range 0-59',
      ],
    ],
    [
      "a mistyped zone, no schedule",
      { timezone: "Europe/Pariss" },
      ['unknown timezone "Europe/Pariss" (did you mean "Europe/Paris"?)'],
    ],
    [
      "a mistyped zone with a schedule is reported once",
      { schedule: "@daily", start: "2026-01-01", timezone: "Europe/Pariss" },
      ['unknown timezone "Europe/Pariss" (did you mean "Europe/Paris"?)'],
    ],
    ["UTC, no schedule", { timezone: "UTC" }, []],
    [
      "an offset is not a zone",
      { timezone: "+02:00" },
      ['unknown timezone "+02:00" (an IANA name such as "Europe/Paris" or "UTC")'],
    ],
    [
      "a missing start is reported once",
      { schedule: "@daily" },
      ['schedule "@daily" needs a start date (the start of the first data interval)'],
    ],
    [
      "a valid schedule",
      { schedule: "0 6 * * 1-5", start: "2026-01-01", timezone: "Europe/Paris" },
      [],
    ],
  ])("%s", (_name, input, expected) => {
    expect(resolveDagSettings(input).problems).toEqual(expected);
  });
});
