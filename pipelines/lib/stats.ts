/** One website event, as the events API (or the bundled generator) returns it. */
export interface UserEvent {
  readonly user: string;
  readonly type: string;
  /** ISO 8601. */
  readonly timestamp: string;
}

/** What one user did in one data interval. */
export interface UserStats {
  readonly user: string;
  readonly events: number;
  readonly firstEvent: string;
  readonly lastEvent: string;
  /** Event count per event type; types the user never triggered are absent. */
  readonly byType: Readonly<Record<string, number>>;
}

/**
 * Reads an events file: a JSON array of objects with `user`, `type` and `timestamp`. Extra
 * fields are ignored. Throws on the first malformed event, naming its index.
 */
export function parseEvents(text: string): UserEvent[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) throw new Error("events file is not a JSON array");
  return data.map((raw: unknown, index) => {
    const item = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const { user, type, timestamp } = item;
    if (typeof user !== "string" || user === "")
      throw new Error(`event ${index}: "user" must be a non-empty string`);
    if (typeof type !== "string" || type === "")
      throw new Error(`event ${index}: "type" must be a non-empty string`);
    if (typeof timestamp !== "string" || Number.isNaN(Date.parse(timestamp))) {
      throw new Error(`event ${index}: "timestamp" must be an ISO 8601 date`);
    }
    return { user, type, timestamp };
  });
}

/** Per-user statistics, sorted by user. */
export function statsPerUser(events: readonly UserEvent[]): UserStats[] {
  const byUser = new Map<string, UserEvent[]>();
  for (const event of events) {
    const own = byUser.get(event.user);
    if (own) own.push(event);
    else byUser.set(event.user, [event]);
  }
  return [...byUser.keys()].sort().map((user) => {
    const own = byUser.get(user)!;
    const times = own.map((event) => event.timestamp).sort((a, b) => Date.parse(a) - Date.parse(b));
    const byType: Record<string, number> = {};
    for (const event of own) byType[event.type] = (byType[event.type] ?? 0) + 1;
    return { user, events: own.length, firstEvent: times[0]!, lastEvent: times.at(-1)!, byType };
  });
}

/**
 * The stats as CSV: `date,user,events,first_event,last_event`, then one count column per event
 * type seen that day, sorted by name (0 where a user has none).
 */
export function toCsv(date: string, stats: readonly UserStats[]): string {
  const types = [...new Set(stats.flatMap((row) => Object.keys(row.byType)))].sort();
  const header = ["date", "user", "events", "first_event", "last_event", ...types];
  const rows = stats.map((row) => [
    date,
    row.user,
    String(row.events),
    row.firstEvent,
    row.lastEvent,
    ...types.map((type) => String(row.byType[type] ?? 0)),
  ]);
  return [header, ...rows].map((fields) => fields.map(csvField).join(",")).join("\n") + "\n";
}

// RFC 4180: quote fields holding a comma, quote or line break; double the quotes inside.
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
