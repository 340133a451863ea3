import Foundation

/// WordPress stores date formats in PHP's `date()` syntax ("F j, Y", "g:i a"); this formats them.
public struct PHPDateFormat: Sendable {
    public let format: String
    public let timeZone: TimeZone
    public let language: DateLanguage

    public init(_ format: String, timeZone: TimeZone, language: DateLanguage = .english) {
        self.format = format
        self.timeZone = timeZone
        self.language = language
    }

    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    struct MemoKey: Hashable {
        let format: String
        let zone: String
        let language: DateLanguage
        let second: Int64
    }

    /// Dates already written, by format, zone, language and second: a page shows the same dates on every render (a
    /// thread's comments), and each took a calendar's breakdown and a walk through the format.
    static let memo = Locked<[MemoKey: String]>([:])
    static let memoLimit = 4_096

    /// The date in this format. Every letter PHP's `date()` knows is written from the date at a whole second, so a
    /// written date is remembered for the next render.
    public func string(from date: Date) -> String {
        // Before 1970 a second's fraction rounds differently for `U`; such dates, and ones no whole second holds, are
        // written each time.
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 1e15 else { return render(date) }
        let key = MemoKey(format: format, zone: timeZone.identifier, language: language, second: Int64(seconds.rounded(.down)))
        if let written = Self.memo.withLock({ $0[key] }) { return written }
        let written = render(date)
        Self.memo.withLock { memo in
            if memo.count >= Self.memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[key] = written
        }
        return written
    }

    func render(_ date: Date) -> String {
        let calendar = TimeZones.calendar(timeZone)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let year = c.year ?? 1970
        let month = c.month ?? 1
        let day = c.day ?? 1
        let hour = c.hour ?? 0
        let minute = c.minute ?? 0
        let second = c.second ?? 0
        let weekday = (c.weekday ?? 1) - 1
        let offset = timeZone.secondsFromGMT(for: date)
        var out = ""
        var escaped = false
        for ch in format {
            if escaped {
                out.append(ch)
                escaped = false
                continue
            }
            switch ch {
            case "\\": escaped = true
            case "d": out += Self.pad(day)
            case "j": out += String(day)
            case "D": out += language.shortWeekday(weekday)
            case "l": out += language.weekdays[weekday]
            case "N": out += String(weekday == 0 ? 7 : weekday)
            case "w": out += String(weekday)
            case "S": out += language == .english ? Self.ordinalSuffix(day) : ""
            case "z": out += String((calendar.ordinality(of: .day, in: .year, for: date) ?? 1) - 1)
            case "F": out += language.months[month - 1]
            case "M": out += language.shortMonth(month - 1)
            case "m": out += Self.pad(month)
            case "n": out += String(month)
            case "t": out += String(calendar.range(of: .day, in: .month, for: date)?.count ?? 30)
            case "Y", "o": out += String(year)
            case "y": out += Self.pad(year % 100)
            case "a": out += hour < 12 ? "am" : "pm"
            case "A": out += hour < 12 ? "AM" : "PM"
            case "g": out += String(hour % 12 == 0 ? 12 : hour % 12)
            case "G": out += String(hour)
            case "h": out += Self.pad(hour % 12 == 0 ? 12 : hour % 12)
            case "H": out += Self.pad(hour)
            case "i": out += Self.pad(minute)
            case "s": out += Self.pad(second)
            case "e": out += timeZone.identifier
            case "T": out += timeZone.abbreviation(for: date) ?? "UTC"
            case "O", "P":
                let sign = offset < 0 ? "-" : "+"
                let h = abs(offset) / 3600
                let m = abs(offset) % 3600 / 60
                out += sign + Self.pad(h) + (ch == "P" ? ":" : "") + Self.pad(m)
            case "Z": out += String(offset)
            case "U": out += String(Int(date.timeIntervalSince1970))
            case "c": out += PHPDateFormat("Y-m-d\\TH:i:sP", timeZone: timeZone).string(from: date)
            case "r": out += PHPDateFormat("D, d M Y H:i:s O", timeZone: timeZone).string(from: date)
            default: out.append(ch)
            }
        }
        return out
    }

    static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    static func ordinalSuffix(_ day: Int) -> String {
        if (11...13).contains(day % 100) { return "th" }
        switch day % 10 {
        case 1: return "st"
        case 2: return "nd"
        case 3: return "rd"
        default: return "th"
        }
    }
}

/// Languages dates can be written in (month and day names).
public enum DateLanguage: String, Sendable, CaseIterable {
    case english = "en", french = "fr", german = "de", spanish = "es", greek = "el"

    public var label: String {
        switch self {
        case .english: return "English"
        case .french: return "Français"
        case .german: return "Deutsch"
        case .spanish: return "Español"
        case .greek: return "Ελληνικά"
        }
    }

    public var months: [String] {
        switch self {
        case .english: return PHPDateFormat.months
        case .french:
            return ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
        case .german: return ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
        case .spanish:
            return ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]
        case .greek:
            return [
                "Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου", "Αυγούστου", "Σεπτεμβρίου", "Οκτωβρίου",
                "Νοεμβρίου", "Δεκεμβρίου",
            ]
        }
    }

    public var weekdays: [String] {
        switch self {
        case .english: return PHPDateFormat.weekdays
        case .french: return ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
        case .german: return ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"]
        case .spanish: return ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"]
        case .greek: return ["Κυριακή", "Δευτέρα", "Τρίτη", "Τετάρτη", "Πέμπτη", "Παρασκευή", "Σάββατο"]
        }
    }

    func shortMonth(_ i: Int) -> String { String(months[i].prefix(3)) }
    func shortWeekday(_ i: Int) -> String { String(weekdays[i].prefix(3)) }
}

/// Time zones and calendars are costly to make on Linux (each reads zone data); pages need them
/// for every date they print, so they are made once per zone.
public enum TimeZones {
    private static let zones = Locked<[String: TimeZone]>([:])
    private static let calendars = Locked<[String: Calendar]>([:])
    public static let utc = TimeZone(identifier: "UTC")!

    public static func named(_ identifier: String) -> TimeZone? {
        if let zone = zones.withLock({ $0[identifier] }) { return zone }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        zones.withLock { $0[identifier] = zone }
        return zone
    }

    /// A Gregorian calendar in `zone`.
    public static func calendar(_ zone: TimeZone) -> Calendar {
        if let calendar = calendars.withLock({ $0[zone.identifier] }) { return calendar }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendars.withLock { $0[zone.identifier] = calendar }
        return calendar
    }
}
