/**
 * A timestamptz column as an ISO instant to the microsecond (…T02:00:00.123456Z): what a page cursor
 * keeps of a row whose time was set by the database (now(), statement_timestamp()), whose
 * microseconds a JavaScript Date would drop.
 */
export function isoMicros(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
