import Foundation

/// WordPress's `Y-m-d H:i:s` dates, read and written without DateFormatter (fast enough for a
/// hundred thousand comments) and with `0000-00-00 00:00:00` meaning "no date".
public enum WXRDates {
    struct Parts: Equatable {
        var year, month, day, hour, minute, second: Int
    }

    static func parts(_ text: String) -> Parts? {
        let digits = text.utf8.map { Int($0) - 48 }
        guard text.utf8.count >= 10 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count else { return nil }
            var n = 0
            for i in range {
                guard (0...9).contains(digits[i]) else { return nil }
                n = n * 10 + digits[i]
            }
            return n
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        let hasTime = digits.count >= 19
        let hour = hasTime ? number(11..<13) : 0
        let minute = hasTime ? number(14..<16) : 0
        let second = hasTime ? number(17..<19) : 0
        guard let hour, let minute, let second, year > 0, (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        return Parts(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// A UTC date from `2008-01-27 00:04:00`; nil for `0000-00-00 00:00:00`, empty or invalid text.
    public static func utc(_ text: String) -> Date? {
        guard let p = parts(text) else { return nil }
        let seconds = days(year: p.year, month: p.month, day: p.day) * 86_400 + p.hour * 3600 + p.minute * 60 + p.second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// The same text read as a wall-clock time in `timeZone` (WordPress's local dates).
    public static func local(_ text: String, timeZone: TimeZone) -> Date? {
        guard let asUTC = utc(text) else { return nil }
        // The offset at the wall-clock instant, corrected once for times near a DST change.
        let guess = asUTC.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: asUTC)))
        return asUTC.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: guess)))
    }

    /// RSS `pubDate` (`Wed, 05 Jun 2024 16:04:48 +0000`), the last resort for an item's date.
    public static func rfc822(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["EEE, dd MMM yyyy HH:mm:ss Z", "dd MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm:ss Z"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text.trimmingCharacters(in: .whitespaces)) { return date }
        }
        return nil
    }

    /// `2008-01-27 00:04:00` for `date` in `timeZone`.
    public static func string(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Hinnant's `civil_from_days`.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
    }

    /// RFC 822 for RSS `pubDate`, in UTC.
    public static func rfc822String(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
