// swift-kmip: KMIPTTLV
//
// POSIX seconds <-> ISO 8601 (UTC), without Foundation: Date-Time values in text and dumps.

package enum CivilTime {
    /// `2008-03-14T11:56:40Z` for seconds since the POSIX epoch; fractional microseconds appended
    /// as `.ffffff` when given and non-zero.
    package static func iso8601(seconds: Int64, microseconds: Int64 = 0) -> String {
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(fromDays: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var yearText = String(abs(year))
        if yearText.count < 4 { yearText = String(repeating: "0", count: 4 - yearText.count) + yearText }
        if year < 0 { yearText = "-" + yearText }
        var text = "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if microseconds != 0 {
            let digits = String(microseconds)
            text += "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        }
        return text + "Z"
    }

    /// Seconds since the epoch of a proleptic Gregorian date and time in UTC, or `nil` when that
    /// does not fit in 64 bits (the year may have up to 12 digits).
    package static func seconds(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) -> Int64? {
        guard abs(year) < 1_000_000_000_000 else { return nil }
        return combine(days(fromYear: year, month: month, day: day), 86_400, hour * 3600 + minute * 60 + second)
    }

    /// `whole * unit + part` for `0 <= part < unit`, or `nil` on overflow. Near the negative end
    /// the product alone can be out of range while the sum is not, so negative values are
    /// combined as `(whole + 1) * unit - (unit - part)`.
    package static func combine(_ whole: Int64, _ unit: Int64, _ part: Int64) -> Int64? {
        if whole < 0 && part > 0 {
            let (product, overflow) = (whole + 1).multipliedReportingOverflow(by: unit)
            let (sum, overflowAgain) = product.subtractingReportingOverflow(unit - part)
            return overflow || overflowAgain ? nil : sum
        }
        let (product, overflow) = whole.multipliedReportingOverflow(by: unit)
        let (sum, overflowAgain) = product.addingReportingOverflow(part)
        return overflow || overflowAgain ? nil : sum
    }

    /// `value / divisor` rounded toward negative infinity, and the non-negative remainder;
    /// never overflows for a positive divisor.
    package static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    package static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
    package static func civilDate(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
