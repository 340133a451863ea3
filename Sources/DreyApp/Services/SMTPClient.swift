import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal SMTP client (RFC 5321) for a relay on the local network, such as a Postfix on the
/// same host. It speaks plain SMTP only: a relay reached over the internet belongs behind TLS,
/// which this client does not do, so `smtp://` URLs are meant for loopback or a private relay.
struct SMTPClient: Sendable {
    let host: String
    let port: Int
    let from: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The server refused for good (a 5xx reply): sending the same message again cannot help.
        var permanent = false
    }

    /// `smtp://host[:port]`; the sender is `from`, else `drey@host`.
    init?(url raw: String, from: String?) {
        guard let url = URLComponents(string: raw), url.scheme == "smtp", let host = url.host, !host.isEmpty else { return nil }
        self.init(host: host, port: url.port ?? 25, from: from ?? "drey@\(host)")
    }

    init(host: String, port: Int, from: String) {
        self.host = host
        self.port = port
        self.from = from
    }

    /// Sends one message; blocking, so call it off the event loop.
    func send(to: String, subject: String, body: String) throws {
        let fd = try connect()
        defer { close(fd) }
        try expect(fd, 220)
        try command(fd, "EHLO drey.local", 250)
        try command(fd, "MAIL FROM:<\(from)>", 250)
        try command(fd, "RCPT TO:<\(to)>", 250)
        try command(fd, "DATA", 354)
        // Dot-stuffing: a line starting with "." must be doubled so it does not end the message.
        let text = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        let message =
            "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(text)\r\n."
        try command(fd, message, 250)
        try? command(fd, "QUIT", 221)
    }

    func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { throw Failure(description: "cannot resolve \(host)") }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket") }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            close(fd)
            throw Failure(description: "cannot connect to \(host):\(port)")
        }
        return fd
    }

    func command(_ fd: Int32, _ line: String, _ code: Int) throws {
        let data = Array((line + "\r\n").utf8)
        var sent = 0
        while sent < data.count {
            let n = data[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "the SMTP server closed the connection") }
            sent += n
        }
        try expect(fd, code)
    }

    /// Reads a (possibly multi-line) reply and checks its code.
    func expect(_ fd: Int32, _ code: Int) throws {
        var reply = ""
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { throw Failure(description: "no answer from the SMTP server") }
            reply += String(decoding: buffer[0..<n], as: UTF8.self)
            let lines = reply.split(separator: "\r\n", omittingEmptySubsequences: true)
            if let last = lines.last, reply.hasSuffix("\r\n"), last.count >= 4, last[last.index(last.startIndex, offsetBy: 3)] == " " { break }
            if reply.count > 64_000 { throw Failure(description: "the SMTP server's answer is too long") }
        }
        guard reply.hasPrefix(String(code)) || reply.split(separator: "\r\n").last?.hasPrefix(String(code)) == true else {
            throw Failure(
                description: "the SMTP server answered: \(reply.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))",
                permanent: reply.hasPrefix("5"))
        }
    }
}
