import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A message sent in steps — `begin` (everything but the final "." line), `end` (that line), `finish` (the relay's
/// answer) — so that a caller can record the message as sent exactly when the relay has taken it.
extension SMTPClient {
    final class Transfer: @unchecked Sendable {
        let fd: Int32
        private(set) var closed = false

        init(fd: Int32) { self.fd = fd }

        func close() {
            guard !closed else { return }
            closed = true
            Glibc.close(fd)
        }

        deinit { close() }
    }

    /// Connects and sends the envelope, headers and body; the message is not complete until `finish`.
    func begin(to: String, subject: String, body: String, headers: [(String, String)]) throws -> Transfer {
        let fd = try connect()
        let transfer = Transfer(fd: fd)
        do {
            try expect(fd, 220)
            try command(fd, "EHLO drey.local", 250)
            try command(fd, "MAIL FROM:<\(from)>", 250)
            try command(fd, "RCPT TO:<\(to)>", 250)
            try command(fd, "DATA", 354)
            let text = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
            var head = "From: \(from)\r\nTo: \(to)\r\nSubject: \(Self.encodedHeader(subject))\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            try write(fd, head + text + "\r\n")
            return transfer
        } catch {
            transfer.close()
            throw error
        }
    }

    /// Sends the final "." line: the message is complete once the relay answers (`finish`).
    func end(_ transfer: Transfer) throws {
        try write(transfer.fd, ".\r\n")
    }

    /// After `end`: the relay's 250 means it took the message.
    func finish(_ transfer: Transfer) throws {
        defer { transfer.close() }
        try expect(transfer.fd, 250)
        try? command(transfer.fd, "QUIT", 221)
    }

    private func write(_ fd: Int32, _ text: String) throws {
        let data = Array(text.utf8)
        var sent = 0
        while sent < data.count {
            let n = data[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "the SMTP server closed the connection") }
            sent += n
        }
    }

    /// RFC 2047: a header with other than printable ASCII goes as base64-encoded UTF-8.
    static func encodedHeader(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value < 127 }) { return text }
        return "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }
}
