import DreyApp
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line per answered request, in the combined format Apache and nginx write (with the request id and the time
/// taken added at the end, as nginx's `log_format` often does) or as JSON lines.
public final class AccessLog: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case combined, json
    }

    public struct Entry: Sendable {
        var client: String
        var time: Date
        var method: String
        var target: String
        var status: Int
        var bytes: Int?
        var referer: String?
        var userAgent: String?
        var requestID: String
        var duration: Duration
        var kind: String
        var cache: String?
    }

    let format: Format
    private let fd: Int32

    /// `-` is standard output (for journald); any other path is opened for appending, so a rotated file is followed
    /// once the server restarts and `logrotate`'s `copytruncate` works meanwhile.
    public init(path: String, format: Format) throws {
        self.format = format
        if path == "-" {
            fd = STDOUT_FILENO
        } else {
            let opened = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard opened >= 0 else {
                throw AccessLogError(description: "the access log \(path) cannot be opened: \(String(cString: strerror(errno)))")
            }
            fd = opened
        }
    }

    deinit {
        if fd != STDOUT_FILENO { close(fd) }
    }

    func append(_ entry: Entry) {
        var line = Array((format == .json ? Self.json(entry) : Self.combined(entry)).utf8)
        line.append(0x0A)
        // One write(2) per line: appends of a line are not interleaved with other writers of the file.
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    static func combined(_ e: Entry) -> String {
        let bytes = e.bytes.map(String.init) ?? "-"
        let seconds = String(format: "%.3f", milliseconds(e.duration) / 1000)
        return
            "\(e.client.isEmpty ? "-" : e.client) - - [\(clf(e.time))] \"\(quoted(e.method + " " + e.target + " HTTP/1.1"))\" \(e.status) \(bytes) "
            + "\"\(quoted(e.referer ?? "-"))\" \"\(quoted(e.userAgent ?? "-"))\" rid=\(e.requestID) rt=\(seconds)"
    }

    static func json(_ e: Entry) -> String {
        var object: [String: Any] = [
            "time": e.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), "client": e.client, "method": e.method,
            "target": e.target, "status": e.status, "request_id": e.requestID, "kind": e.kind,
            "duration_ms": (milliseconds(e.duration) * 1000).rounded() / 1000,
        ]
        if let bytes = e.bytes { object["bytes"] = bytes }
        if let referer = e.referer { object["referer"] = referer }
        if let ua = e.userAgent { object["user_agent"] = ua }
        if let cache = e.cache { object["cache"] = cache }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// Inside a quoted field: quotes, backslashes and control characters escaped as nginx does (`\x22`), so a client
    /// cannot end the field or forge a line.
    static func quoted(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v == 0x22 || v == 0x5C || v < 0x20 || v == 0x7F {
                out += "\\x" + (v < 16 ? "0" : "") + String(v, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `10/Oct/2000:13:55:36 +0000`, always in UTC.
    static func clf(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : String(n) }
        return
            "\(two(tmv.tm_mday))/\(months[Int(tmv.tm_mon)])/\(Int(tmv.tm_year) + 1900):\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec)) +0000"
    }
}

public struct AccessLogError: Error, CustomStringConvertible {
    public let description: String
}
