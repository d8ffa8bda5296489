#!/usr/bin/env node
// A stand-in for the website events API of the Airflow book's chapter 3, so user_events runs
// offline. Plain JavaScript with no dependencies: the bash task runs it with `node`.
//
//   node generate-events.mjs START END     print the events in [START, END) as a JSON array
//   node generate-events.mjs --serve PORT  answer GET /events?start_date=START&end_date=END
//
// Deterministic: each UTC day's events come from a generator seeded with that day's date, and an
// interval gets the events of the days it touches that fall inside it. The same interval always
// yields the same events, however the days are split into runs, so a rerun or a backfill
// rewrites a day's file with identical content (the idempotence the book asks of tasks).
import { createServer } from "node:http";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const DAY_MS = 86_400_000;
// A bound on the work one call can ask for; a daily run needs one day.
const MAX_INTERVAL_DAYS = 366;
const USERS = 12;
const EVENT_TYPES = [
  ["page_view", 0.6],
  ["click", 0.25],
  ["add_to_cart", 0.1],
  ["purchase", 0.05],
];

/** The events with `start <= timestamp < end`, oldest first. Throws on a bad interval. */
export function generateEvents(start, end) {
  const from = Date.parse(start);
  const to = Date.parse(end);
  if (Number.isNaN(from) || Number.isNaN(to))
    throw new Error(`not a date: "${Number.isNaN(from) ? start : end}"`);
  if (to < from) throw new Error(`interval ends before it starts: ${start} > ${end}`);
  if (to - from > MAX_INTERVAL_DAYS * DAY_MS)
    throw new Error(`interval longer than ${MAX_INTERVAL_DAYS} days`);
  const events = [];
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
    for (const event of eventsOfDay(day)) {
      const time = Date.parse(event.timestamp);
      if (time >= from && time < to) events.push(event);
    }
  }
  return events;
}

function eventsOfDay(dayStart) {
  const date = new Date(dayStart).toISOString().slice(0, 10);
  const random = mulberry32(fnv1a(date));
  const count = 20 + Math.floor(random() * 41);
  const events = [];
  for (let i = 0; i < count; i++) {
    // Squaring skews activity towards the first users, so the per-user stats are not all alike.
    const user = `user_${String(1 + Math.floor(random() ** 2 * USERS)).padStart(2, "0")}`;
    const type = pick(random());
    const time = dayStart + Math.floor(random() * 86_400) * 1000;
    events.push({ user, type, time });
  }
  events.sort((a, b) => a.time - b.time || a.user.localeCompare(b.user));
  return events.map(({ user, type, time }, i) => ({
    id: `${date.replaceAll("-", "")}-${String(i + 1).padStart(3, "0")}`,
    user,
    type,
    timestamp: new Date(time).toISOString(),
  }));
}

function pick(r) {
  let total = 0;
  for (const [type, weight] of EVENT_TYPES) {
    total += weight;
    if (r < total) return type;
  }
  return EVENT_TYPES[0][0];
}

// 32-bit FNV-1a: turns the date into a seed.
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

// A small, well-known PRNG; Math.random cannot be seeded.
function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serve(port) {
  createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    try {
      if (url.pathname !== "/events")
        throw Object.assign(new Error("try GET /events?start_date=...&end_date=..."), {
          status: 404,
        });
      const body = JSON.stringify(
        generateEvents(
          url.searchParams.get("start_date") ?? "",
          url.searchParams.get("end_date") ?? "",
        ),
      );
      response.writeHead(200, { "content-type": "application/json" }).end(body);
    } catch (error) {
      response
        .writeHead(error.status ?? 400, { "content-type": "text/plain" })
        .end(`${error.message}\n`);
    }
  }).listen(port, () => console.error(`events API on http://localhost:${port}/events`));
}

function main(args) {
  if (args[0] === "--serve") return serve(Number(args[1] ?? 5000));
  if (args.length !== 2) throw new Error("usage: generate-events.mjs START END | --serve PORT");
  process.stdout.write(`${JSON.stringify(generateEvents(args[0], args[1]), null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`generate-events: ${error.message}`);
    process.exitCode = 2;
  }
}
