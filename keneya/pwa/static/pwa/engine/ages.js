// Dates and the common age definitions (clinical-rules.md v1, section 0), as keneya/clinical/ages.py.
//
// A date is an ISO string "YYYY-MM-DD" at the API; inside the engine it is a whole day number
// (days since 1970-01-01 in the proleptic Gregorian calendar, like Python's date.toordinal()
// shifted). There is no Date object and no time zone anywhere: "2025-01-06" is the same day on
// every tablet, whatever its clock or its UTC offset.
//
// - age_days: visit - date of birth in whole days; the day of birth is day 0.
// - age_months: completed calendar months, minus one when the day-of-month of the visit is
//   earlier than that of the birth (DOB 2025-01-04, on 2026-01-05 gives 12).
// - bands (rules.age_bands): young_infant_0_59d (age_days <= young_infant_max_age_days),
//   child_2_11m (age_months <= child_2_11m_max_age_months), child_12_59m
//   (<= child_12_59m_max_age_months), out_of_scope_60m_plus.

import { OverflowError, ValueError, isNumber, pyRepr } from './py.js';

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days)
// ---------------------------------------------------------------------------------------------

const MIN_YEAR = 1; // Python's date.min and date.max
const MAX_YEAR = 9999;

export function isLeap(year) {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year, month) {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Day number of a valid (year, month, day). */
export function dayNumber(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number. */
export function civil(n) {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524)
    - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const FIRST_DAY = dayNumber(MIN_YEAR, 1, 1);
const LAST_DAY = dayNumber(MAX_YEAR, 12, 31);

/** date + timedelta(days=n): Python raises OverflowError outside years 1-9999. */
export function addDays(day, n) {
  const out = day + n;
  if (out < FIRST_DAY || out > LAST_DAY) throw new OverflowError('date value out of range');
  return out;
}

/** date.isoformat() */
export function isoformat(day) {
  const [y, m, d] = civil(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Python 3.11 date.fromisoformat, byte for byte
// ---------------------------------------------------------------------------------------------
// Accepted (CPython 3.11 _datetimemodule.c parse_isoformat_date): a string of 7, 8 or 10 UTF-8
// bytes: YYYY-MM-DD, YYYYMMDD, YYYY-Www-D, YYYYWwwD, YYYY-Www, YYYYWww (ISO week dates).
// CPython does not check that the whole string was read: "2025010600" is 2025-01-06. Year 0,
// month 13, 30 February, week 53 of a 52-week year are refused.

function utf8Length(text) {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

function digitsAt(text, pos, count) {
  let value = 0;
  for (let i = pos; i < pos + count; i += 1) {
    const c = text.charCodeAt(i); // NaN past the end: not a digit
    if (!(c >= 48 && c <= 57)) return null;
    value = value * 10 + (c - 48);
  }
  return value;
}

function isoWeekToDay(year, week, weekday, text) {
  // Week 53 exists when 1 January is a Thursday, or a Wednesday in a leap year.
  const jan1 = dayNumber(year, 1, 1);
  const jan1Weekday = ((jan1 + 3) % 7 + 7) % 7; // 0 = Monday (1970-01-01 was a Thursday)
  if (week <= 0 || week >= 53) {
    if (!(week === 53 && (jan1Weekday === 3 || (jan1Weekday === 2 && isLeap(year))))) {
      throw new ValueError(`Invalid isoformat string: '${text}'`);
    }
  }
  if (weekday <= 0 || weekday >= 8) throw new ValueError(`Invalid isoformat string: '${text}'`);
  const week1Monday = jan1 - jan1Weekday + (jan1Weekday > 3 ? 7 : 0);
  const day = week1Monday + (week - 1) * 7 + (weekday - 1);
  const [y] = civil(day);
  if (y < MIN_YEAR || y > MAX_YEAR) throw new ValueError(`year ${y} is out of range`);
  return day;
}

/** date.fromisoformat(text) as a day number; ValueError like Python's. */
export function fromisoformat(text) {
  const invalid = () => new ValueError(`Invalid isoformat string: '${text}'`);
  const length = utf8Length(text);
  if (length !== 7 && length !== 8 && length !== 10) throw invalid();
  const year = digitsAt(text, 0, 4);
  if (year === null) throw invalid();
  let pos = 4;
  const dash = text[pos] === '-';
  if (dash) pos += 1;
  if (text[pos] === 'W') {
    pos += 1;
    const week = digitsAt(text, pos, 2);
    if (week === null) throw invalid();
    pos += 2;
    let weekday = 1;
    if (pos < length) { // every character read so far is ASCII: pos counts bytes too
      if (dash) {
        if (text[pos] !== '-') throw invalid();
        pos += 1;
      }
      weekday = digitsAt(text, pos, 1);
      if (weekday === null) throw invalid();
    }
    if (year < MIN_YEAR) throw new ValueError(`year ${year} is out of range`);
    return isoWeekToDay(year, week, weekday, text);
  }
  const month = digitsAt(text, pos, 2);
  if (month === null) throw invalid();
  pos += 2;
  if (dash) {
    if (text[pos] !== '-') throw invalid();
    pos += 1;
  }
  const day = digitsAt(text, pos, 2);
  if (day === null) throw invalid();
  if (year < MIN_YEAR || year > MAX_YEAR) throw new ValueError(`year ${year} is out of range`);
  if (month < 1 || month > 12) throw new ValueError('month must be in 1..12');
  if (day < 1 || day > daysInMonth(year, month)) throw new ValueError('day is out of range for month');
  return dayNumber(year, month, day);
}

/**
 * A date argument: an ISO string (Python's harness calls date.fromisoformat on the vectors'
 * strings), else ValueError naming the field. A JavaScript Date is refused on purpose (it is a
 * moment, not a day: the time-zone trap that ages.check_date refuses for datetimes).
 */
export function checkDate(value, field) {
  if (typeof value !== 'string') {
    throw new ValueError(`${field}: expected a date 'YYYY-MM-DD', got ${value instanceof Date ? 'a Date' : pyRepr(value)}`);
  }
  try {
    return fromisoformat(value);
  } catch (error) {
    if (error instanceof ValueError) throw new ValueError(`${field}: ${error.message}`);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Ages (ages.py)
// ---------------------------------------------------------------------------------------------

/** ages.completed_months on day numbers, without checks. */
export function completedMonths(dob, on) {
  const [y0, m0, d0] = civil(dob);
  const [y1, m1, d1] = civil(on);
  const months = (y1 - y0) * 12 + (m1 - m0);
  return d1 < d0 ? months - 1 : months;
}

/** ages.date_at_age_months: first day with completed months >= `months`. */
export function dateAtAgeMonths(dob, months) {
  if (!isNumber(months) || !Number.isInteger(months) || months < 0) {
    throw new ValueError(`months: expected an integer >= 0, got ${pyRepr(months)}`);
  }
  const [y0, m0, d0] = civil(dob);
  const index = y0 * 12 + m0 - 1 + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  if (year > MAX_YEAR) throw new ValueError(`year ${year} is out of range`);
  const last = daysInMonth(year, month);
  if (d0 <= last) return dayNumber(year, month, d0);
  return addDays(dayNumber(year, month, last), 1);
}

export function makeAges(data) {
  const A = data.rules.age_bands;
  const YOUNG_INFANT_MAX_DAYS = A.young_infant_max_age_days.value;
  const CHILD_2_11M_MAX_MONTHS = A.child_2_11m_max_age_months.value;
  const CHILD_12_59M_MAX_MONTHS = A.child_12_59m_max_age_months.value;
  const [YOUNG_INFANT, CHILD_2_11M, CHILD_12_59M, OUT_OF_SCOPE] = A.bands;

  /** ages.band_for */
  function bandFor(days, months) {
    if (days <= YOUNG_INFANT_MAX_DAYS) return YOUNG_INFANT;
    if (months <= CHILD_2_11M_MAX_MONTHS) return CHILD_2_11M;
    if (months <= CHILD_12_59M_MAX_MONTHS) return CHILD_12_59M;
    return OUT_OF_SCOPE;
  }

  /** ages.age_days on day numbers. */
  function ageDays(dob, on) {
    const days = on - dob;
    if (days < 0) {
      throw new ValueError(`on: ${isoformat(on)} is before date_of_birth ${isoformat(dob)}`);
    }
    return days;
  }

  return {
    YOUNG_INFANT_MAX_DAYS, YOUNG_INFANT, CHILD_2_11M, CHILD_12_59M, OUT_OF_SCOPE,
    OUT_OF_SCOPE_MIN_MONTHS: A.out_of_scope_min_age_months.value,
    bandFor, ageDays, completedMonths, dateAtAgeMonths,
  };
}
