import DreyCore
import Foundation

/// HTTP dates (`Sun, 06 Nov 1994 08:49:37 GMT`), read for `If-Modified-Since`.
enum HTTPDate {
    /// Parses the IMF-fixdate form every current client sends; nil for anything else.
    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
            let month = months.firstIndex(of: String(parts[2])).map({ $0 + 1 })
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (clock[0], clock[1], clock[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

extension HTTPDate {
    private static let current = Locked<(second: Int, text: String)>((-1, ""))

    /// Now, as a `Date` header says it; formatted once a second.
    static func now() -> String {
        let second = time(nil)
        return current.withLock { c in
            if c.second != second { c = (second, PageCache.httpDate(Date(timeIntervalSince1970: TimeInterval(second)))) }
            return c.text
        }
    }
}
