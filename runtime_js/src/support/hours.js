// Opening hours in the owner's time zone: [{days: [1…7] (ISO, Monday = 1), from, to}]
// in minutes since midnight, as `sitebot generate` writes them.

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** True when `now` falls in one of the ranges (always true without hours). */
export function openNow(hours, timeZone, now = new Date()) {
  if (!hours || !hours.length) return true;
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: timeZone || "UTC", weekday: "short", hour: "numeric", minute: "numeric", hourCycle: "h23" }).formatToParts(now);
  } catch {
    return true; // a time zone this browser does not know: offer everything rather than nothing
  }
  const get = (type) => (parts.find((p) => p.type === type) || {}).value;
  const day = DAYS.indexOf(get("weekday")) + 1;
  const minute = (Number(get("hour")) % 24) * 60 + Number(get("minute"));
  return hours.some((r) => r.days.includes(day) && minute >= r.from && minute < r.to);
}
